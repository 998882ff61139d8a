package crm;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * mongo-java-server on 127.0.0.1 for dev, tests and benchmarks.
 *
 *   java crm.LocalMongo [--port N] [--h2 FILE]
 *
 * Memory backend unless --h2 names a file (npm run dev keeps its demo data there). The oplog is on
 * so change streams work. Prints "listening 127.0.0.1:PORT" once it accepts connections (the
 * script that starts it waits for that line), and stops cleanly on SIGTERM / stdin closing, so an
 * H2 file is committed before exit.
 */
public final class LocalMongo {
  public static void main(String[] args) throws Exception {
    int port = 0;
    String h2File = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--h2" -> h2File = args[++i];
        default -> {
          System.err.println("unknown argument: " + args[i]);
          System.exit(2);
        }
      }
    }
    MongoBackend backend = h2File == null ? new MemoryBackend() : new H2Backend(h2File);
    MongoServer server = new MongoServer(backend);
    server.enableOplog();
    server.bind("127.0.0.1", port);
    InetSocketAddress address = server.getLocalAddress();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      stopped.countDown();
    }));
    // The parent process dying closes our stdin: stop with it instead of lingering as an orphan.
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // ignore input
        }
      } catch (Exception ignored) {
        // stdin gone
      }
      System.exit(0);
    });
    watchdog.setDaemon(true);
    watchdog.start();

    System.out.println("listening " + address.getHostString() + ":" + address.getPort()
        + " backend=" + (h2File == null ? "memory" : "h2:" + h2File));
    System.out.flush();
    stopped.await();
  }
}
