package badapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * bad-app's Java twin: the JDK's own HttpServer (HTTP/1.1, keep-alive) on a small fixed pool of threads.
 *
 * <pre>
 * GET /         hashes a password with BCrypt (cost BADAPP_BCRYPT_ROUNDS, default 12) and answers with it.
 * GET /healthz  cheap: answers "ok".
 * </pre>
 *
 * Settings come from the environment: PORT (8000), HOST (0.0.0.0), BADAPP_BCRYPT_ROUNDS (12, 4..31),
 * BADAPP_THREADS (4: the request executor's size).
 */
public final class Main {
    private static final byte[] PASSWORD = "is this what you are looking for?".getBytes(StandardCharsets.UTF_8);

    private Main() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        String host = env.getOrDefault("HOST", "0.0.0.0");
        int port = intSetting(env, "PORT", 8000, 0, 65535);
        int rounds = intSetting(env, "BADAPP_BCRYPT_ROUNDS", 12, 4, 31);
        int threads = intSetting(env, "BADAPP_THREADS", 4, 1, 256);

        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r);
            t.setName("badapp-http-" + t.getId());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/healthz", exchange -> answer(exchange, 200, "ok\n"));
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/")) {
                answer(exchange, 404, "not found\n");
                return;
            }
            String hashed = Hashing.hashPassword(PASSWORD, rounds);
            answer(exchange, 200, "is this what you are looking for?: " + hashed + "\n");
        });
        // SIGTERM (a container stop) runs the shutdown hooks: stop accepting, let running requests finish briefly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            executor.shutdown();
            try {
                executor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.err.println("badapp-java stopped");
        }, "badapp-shutdown"));
        server.start();
        InetSocketAddress bound = server.getAddress();
        System.err.printf("badapp-java listening on %s:%d (bcrypt rounds %d, %d threads)%n",
                bound.getHostString(), bound.getPort(), rounds, threads);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, data.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(data);
            }
        } catch (IOException e) {
            // The client went away (a load generator stopping mid-request): not the server's error.
        }
    }

    private static int intSetting(Map<String, String> env, String name, int def, int low, int high) {
        String raw = env.get(name);
        if (raw == null || raw.isEmpty()) return def;
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            System.err.printf("badapp-java: %s=%s is not an integer%n", name, raw);
            System.exit(2);
            return def;
        }
        if (value < low || value > high) {
            System.err.printf("badapp-java: %s=%d is out of range %d..%d%n", name, value, low, high);
            System.exit(2);
        }
        return value;
    }
}
