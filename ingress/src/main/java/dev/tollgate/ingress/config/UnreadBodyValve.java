package dev.tollgate.ingress.config;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * A request answered before the rest of its declared body has arrived has its connection closed
 * after the answer, instead of Tomcat reading ("swallowing") that rest on a request thread to keep
 * the connection alive. Tomcat swallows up to {@code maxSwallowSize} (2 MB) with blocking reads,
 * each bounded only by the connection timeout, so a client that declared a body, was refused
 * before it was read (no token: 401, a webhook without a signature, a busy webhook slot: 503, an
 * unknown path: 404) and then sent a byte now and then held one of Tomcat's threads for as long as
 * it liked: a few hundred such connections, with no credential at all, left no thread for anyone.
 *
 * <p>
 * A refused client whose whole body has arrived keeps its connection (the rest is in Tomcat's
 * buffer: reading it waits on nobody). Requests whose bodies were read, and those answered
 * asynchronously (the webhook's non-blocking reads, which Tomcat does not wait on), are left as
 * they are.
 */
final class UnreadBodyValve extends ValveBase {

    UnreadBodyValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (!declaresBody(request)) {
            getNext().invoke(request, response); // nothing to wait for (most GETs)
            return;
        }
        response.setResponse(new RefusalsSayClose(response.getResponse(), request));
        try {
            getNext().invoke(request, response);
        } finally {
            if (!request.isAsyncStarted() && wouldWaitForBody(request)) {
                close(request, response);
            }
        }
    }

    private static boolean declaresBody(Request request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /**
     * An error status given while the rest of the body has not arrived says
     * {@code Connection: close} in the answer itself (before it is sent: the answer is usually
     * sent before this valve sees it again), so that no client sends its next request on a
     * connection about to be closed: an agent refused while its body was still on its way
     * (a busy machine) would otherwise have its next call fail on the closed connection.
     */
    private static final class RefusalsSayClose extends HttpServletResponseWrapper {

        private final Request request;

        RefusalsSayClose(HttpServletResponse response, Request request) {
            super(response);
            this.request = request;
        }

        @Override
        public void setStatus(int status) {
            sayCloseIfRefused(status);
            super.setStatus(status);
        }

        @Override
        public void sendError(int status) throws IOException {
            sayCloseIfRefused(status);
            super.sendError(status);
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            sayCloseIfRefused(status);
            super.sendError(status, message);
        }

        private void sayCloseIfRefused(int status) {
            if (status >= 400 && !isCommitted() && wouldWaitForBody(request)) {
                setHeader("Connection", "close");
            }
        }
    }

    /** True when reading the rest of the request's declared body would wait on its client. */
    static boolean wouldWaitForBody(Request request) {
        if (!declaresBody(request) || request.isFinished()) {
            return false;
        }
        long declared = request.getContentLengthLong();
        boolean chunked = declared < 0;
        if (chunked) {
            return true; // where it ends is known only by reading it
        }
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        coyote.action(ActionCode.AVAILABLE, Boolean.TRUE); // what is buffered, read without waiting
        return coyote.getBytesRead() + coyote.getAvailable() < declared;
    }

    private static void close(Request request, Response response) {
        if (!response.isCommitted()) {
            // Said in the answer, so that no client sends its next request on this connection;
            // and sent now, under its own status (Tomcat would make an answer it closes
            // uncommitted a 500).
            response.setHeader("Connection", "close");
            try {
                response.flushBuffer();
            } catch (IOException e) {
                // the client is gone: the connection is closed all the same
            }
        }
        // Tomcat's own answer to an aborted upload: no swallowing, close after the answer
        request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
    }
}
