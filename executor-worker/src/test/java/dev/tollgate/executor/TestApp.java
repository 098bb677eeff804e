package dev.tollgate.executor;

import dev.tollgate.executor.core.AppAuthenticator;
import dev.tollgate.executor.core.AppJwtSigner;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.PrivateKeys;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.testsupport.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;

/** The test App: its ID and key pair (fixtures under src/test/resources/keys, no real App). */
public final class TestApp {

    public static final String APP_ID = "Iv23liTESTCLIENTID";

    private TestApp() {
    }

    public static String resource(String name) {
        try (InputStream in = TestApp.class.getResourceAsStream("/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RSAPrivateKey privateKey() {
        return PrivateKeys.parse(resource("app-pkcs1.pem"), "test key");
    }

    public static RSAPublicKey publicKey() {
        return GitHubStandIn.readPublicKey(resource("app-public.pem"));
    }

    public static Path writeKeyFile(Path dir, String resource) {
        try {
            Path file = dir.resolve(resource);
            Files.writeString(file, resource(resource));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GitHubTransport transport(GitHubStandIn github) {
        return new OkHttpTransport(github.apiUrl(), OkHttpTransport.defaultClient());
    }

    public static AppAuthenticator authenticator(GitHubStandIn github, MutableClock clock) {
        return new AppAuthenticator(new AppJwtSigner(APP_ID, privateKey(), clock), transport(
                github), clock);
    }
}
