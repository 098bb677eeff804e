package dev.tollgate.ingress.mcp;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.CharArrayWriter;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * Keeps Java exceptions out of the MCP transport's error answers. The SDK's transport writes its
 * 4xx/5xx bodies by serializing an {@code McpError} (an exception, stack trace included) and uses
 * {@code sendError} elsewhere; this wrapper captures both and the guard rewrites them as plain
 * JSON-RPC errors.
 */
final class SanitizingResponse extends HttpServletResponseWrapper {

    private int errorStatus;
    private String errorMessage;
    private CharArrayWriter errorBody;
    private PrintWriter errorWriter;

    SanitizingResponse(HttpServletResponse response) {
        super(response);
    }

    @Override
    public void setStatus(int sc) {
        if (sc >= 400) {
            errorStatus = sc;
        } else {
            super.setStatus(sc);
        }
    }

    @Override
    public void sendError(int sc) {
        errorStatus = sc;
    }

    @Override
    public void sendError(int sc, String msg) {
        errorStatus = sc;
        errorMessage = msg;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (errorStatus >= 400) {
            if (errorWriter == null) {
                errorBody = new CharArrayWriter();
                errorWriter = new PrintWriter(errorBody);
            }
            return errorWriter;
        }
        return super.getWriter();
    }

    boolean failed() {
        return errorStatus >= 400;
    }

    int errorStatus() {
        return errorStatus;
    }

    /** What the transport said: the sendError message, or the body it tried to write. */
    String capturedText() {
        if (errorWriter != null) {
            errorWriter.flush();
            return errorBody.toString();
        }
        return errorMessage;
    }
}
