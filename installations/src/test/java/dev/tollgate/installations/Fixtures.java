package dev.tollgate.installations;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Real webhook payloads from @octokit/webhooks-examples (api.github.com). */
final class Fixtures {

    private Fixtures() {
    }

    static byte[] webhook(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/webhooks/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
