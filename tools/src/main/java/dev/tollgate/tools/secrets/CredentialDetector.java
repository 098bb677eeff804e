package dev.tollgate.tools.secrets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Finds credentials in text: every match of a {@link SecretShapes shape} that its credibility
 * check accepts, reported by kind and line, never by value. Where two shapes match the same text
 * the earlier shape (the more specific format) names it. Pure and thread-safe; linear in the
 * length of the text, and each shape's regex runs only when its cheap trigger is present.
 *
 * <p>What counts: a token in a known format (GitHub, Slack, Stripe live, Google API, npm, PyPI,
 * OpenAI, Anthropic, GitLab, AWS access key IDs, signed JWTs) whose random part looks random; a
 * PEM private key block with key material after its header; a value under a password or secret
 * key, in a URL's user info, in an {@code Authorization} header or a signed URL's parameter, when
 * it is written out literally (no template, variable or code reference), with letters and digits,
 * and varied. What does not: placeholders ({@code ghp_xxxx…}, {@code AKIAIOSFODNN7EXAMPLE},
 * {@code your-token-here}), UUIDs, commit SHAs, ordinary base64, {@code password =
 * os.environ["X"]}, {@code ${{ secrets.TOKEN }}}.
 */
public final class CredentialDetector {

    /** At most this many findings are reported for one text. */
    public static final int MAX_FINDINGS = 20;

    private CredentialDetector() {
    }

    /** The credentials in {@code text}, in the order they appear; empty for null or empty text. */
    public static List<CredentialFinding> find(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        long triggered = SecretShapes.triggered(text);
        record Span(SecretKind kind, int start, int end, String hint) {
        }
        List<Span> spans = new ArrayList<>();
        shapes : for (int i = 0; i < SecretShapes.ALL.size(); i++) {
            if ((triggered & (1L << i)) == 0) {
                continue; // its trigger is absent: the regex cannot match
            }
            SecretShape shape = SecretShapes.ALL.get(i);
            Matcher matcher = shape.pattern().matcher(text);
            while (matcher.find()) {
                int start = shape.secretStart(matcher);
                int end = shape.secretEnd(matcher);
                if (spans.stream().anyMatch(span -> start < span.end() && span.start() < end)) {
                    continue; // an earlier, more specific shape named this text already
                }
                if (shape.credible().test(text, matcher)) {
                    spans.add(new Span(shape.kind(), start, end, shape.hint(text, matcher)));
                    if (spans.size() >= MAX_FINDINGS) {
                        break shapes;
                    }
                }
            }
        }
        spans.sort(Comparator.comparingInt(Span::start));
        List<CredentialFinding> findings = new ArrayList<>(spans.size());
        int line = 1;
        int counted = 0;
        for (Span span : spans) {
            for (; counted < span.start(); counted++) {
                if (text.charAt(counted) == '\n') {
                    line++;
                }
            }
            findings.add(new CredentialFinding(span.kind(), null, line, span.hint()));
        }
        return List.copyOf(findings);
    }
}
