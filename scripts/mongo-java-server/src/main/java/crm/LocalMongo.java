package crm;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

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
    MongoBackend backend = h2File == null
        ? new MemoryBackend() {
            @Override
            public Document handleCommand(Channel channel, String db, String command, Document query) {
              return Writes.serialized(db, command, query, () -> super.handleCommand(channel, db, command, query));
            }
          }
        : new H2Backend(h2File) {
            @Override
            public Document handleCommand(Channel channel, String db, String command, Document query) {
              return Writes.serialized(db, command, query, () -> super.handleCommand(channel, db, command, query));
            }
          };
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

  /**
   * MongoDB returns a findAndModify's document as it was at that write. mongo-java-server returns
   * the stored document itself, and the reply is encoded after the command has returned, so a
   * concurrent update of the same document changes it in between: 40 concurrent sequence calls
   * returned 3 twice and never 2 (tests/integration/engine-guarantees.test.ts). Here updates and
   * findAndModify commands of one collection run one at a time and a findAndModify's reply is
   * copied before the next may run, which restores what Atlas guarantees per document, at the cost
   * of write parallelism within one collection.
   */
  static final class Writes {
    private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    static Document serialized(String db, String command, Document query, Supplier<Document> run) {
      String name = command.toLowerCase(Locale.ROOT);
      if (!name.equals("findandmodify") && !name.equals("update")) return run.get();
      ReentrantLock lock = LOCKS.computeIfAbsent(db + "." + query.get(command), k -> new ReentrantLock());
      lock.lock();
      try {
        Document reply = run.get();
        return name.equals("findandmodify") ? reply.cloneDeeply() : reply;
      } finally {
        lock.unlock();
      }
    }
  }
}
