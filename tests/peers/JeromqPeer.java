// A JeroMQ peer for tests/integration/test_interop_jeromq.c. Debian's JeroMQ
// 0.3.6 speaks ZMTP 2.0 (RFC 15: a 12-octet greeting, the identity frame
// first), so it is a real older peer for zinc. Compiled by the test with
// javac against /usr/share/java/jeromq.jar.
//
// Usage: java -cp DIR:jeromq.jar JeromqPeer MODE [ARGS]
//   pull N            binds a PULL on a random port, prints "PORT p", then
//                     prints "MSG a|b|..." for each of N messages
//   push EP N         connects a PUSH, sends N messages ["jeromq", "i"]
//   dealer EP         DEALER with identity "jdealer": sends "hello", prints
//                     the reply
//   router            binds a ROUTER, prints "PORT p", prints the first
//                     message (identity frame included), echoes it back
//   sub EP TOPIC N    SUB subscribed to TOPIC, prints N messages
//   pub               binds a PUB, prints "PORT p", then sends "A i" and
//                     "B i" every 20 ms for 3 s
//   req EP            REQ: sends "question", prints the reply
// Every receive times out (5 s): the peer then prints "TIMEOUT" and exits 1.
// "DONE" ends a run that went as asked.
import org.zeromq.ZMQ;

public class JeromqPeer {
    static ZMQ.Context ctx;

    static void out(String s) {
        System.out.println(s);
        System.out.flush();
    }

    static String recvMsg(ZMQ.Socket s) {
        StringBuilder b = new StringBuilder();
        do {
            byte[] f = s.recv(0);
            if (f == null) {
                out("TIMEOUT");
                System.exit(1);
            }
            if (b.length() > 0)
                b.append('|');
            b.append(new String(f, java.nio.charset.StandardCharsets.ISO_8859_1));
        } while (s.hasReceiveMore());
        return b.toString();
    }

    static ZMQ.Socket sock(int type) {
        ZMQ.Socket s = ctx.socket(type);
        s.setLinger(2000);
        s.setReceiveTimeOut(5000);
        s.setSendTimeOut(5000);
        return s;
    }

    public static void main(String[] a) throws Exception {
        ctx = ZMQ.context(1);
        String mode = a[0];
        ZMQ.Socket s;
        switch (mode) {
        case "pull": {
            s = sock(ZMQ.PULL);
            out("PORT " + s.bindToRandomPort("tcp://127.0.0.1"));
            int n = Integer.parseInt(a[1]);
            for (int i = 0; i < n; i++)
                out("MSG " + recvMsg(s));
            break;
        }
        case "push": {
            s = sock(ZMQ.PUSH);
            s.connect(a[1]);
            int n = Integer.parseInt(a[2]);
            for (int i = 0; i < n; i++) {
                s.sendMore("jeromq");
                s.send(Integer.toString(i));
            }
            break;
        }
        case "dealer": {
            s = sock(ZMQ.DEALER);
            s.setIdentity("jdealer".getBytes());
            s.connect(a[1]);
            s.send("hello");
            out("MSG " + recvMsg(s));
            break;
        }
        case "router": {
            s = sock(ZMQ.ROUTER);
            out("PORT " + s.bindToRandomPort("tcp://127.0.0.1"));
            byte[] id = s.recv(0);
            if (id == null) {
                out("TIMEOUT");
                System.exit(1);
            }
            String rest = recvMsg(s);
            out("MSG " + new String(id) + "|" + rest);
            s.sendMore(id);
            s.send("echo:" + rest);
            break;
        }
        case "sub": {
            s = sock(ZMQ.SUB);
            s.subscribe(a[2].getBytes());
            s.connect(a[1]);
            int n = Integer.parseInt(a[3]);
            for (int i = 0; i < n; i++)
                out("MSG " + recvMsg(s));
            break;
        }
        case "pub": {
            s = sock(ZMQ.PUB);
            out("PORT " + s.bindToRandomPort("tcp://127.0.0.1"));
            for (int i = 0; i < 150; i++) {
                s.send("A " + i);
                s.send("B " + i);
                Thread.sleep(20);
            }
            break;
        }
        case "req": {
            s = sock(ZMQ.REQ);
            s.connect(a[1]);
            s.send("question");
            out("MSG " + recvMsg(s));
            break;
        }
        default:
            out("USAGE");
            System.exit(2);
            return;
        }
        out("DONE");
        s.close();
        ctx.term();
    }
}
