package dev.tollgate.decision;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test fixtures on the class path as files. */
public final class TestResources {

    private TestResources() {
    }

    public static Path path(String name) {
        try {
            return Path.of(TestResources.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }
}
