package dev.tollgate.tools.secrets;

import dev.tollgate.tools.Param;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ValidatedCall;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The credentials a write would send to GitHub: every string argument of a write tool (bodies,
 * titles, comments, commit messages, check output, labels, names, file contents) at any depth,
 * walked by the tool's own {@link Param} declarations. A pushed file's content is reported by its
 * path and line ({@code README.md line 3}); base64 content is decoded first. Other text is reported
 * by its argument ({@code body line 2}, {@code comments[1].body}). Reads and local tools carry
 * nothing to GitHub and are not scanned.
 */
public final class WrittenContent {

    /** At most this many findings are reported for one call. */
    public static final int MAX_FINDINGS = CredentialDetector.MAX_FINDINGS;

    private WrittenContent() {
    }

    /**
     * Why a write is refused for the credentials found in its content, if any: the first finding's
     * kind and place and what to do, then up to four more. Never a credential's value: a finding
     * holds none, only its format's fixed prefix. The ingress refuses with it before the call
     * reaches Kafka; the decision worker again, for a request that came another way.
     */
    public static Optional<String> refusal(String tool, List<CredentialFinding> found) {
        if (found.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder reason = new StringBuilder(tool).append(" refused: ").append(found.get(0)
                .describe()).append("; remove it, or use a secret store");
        if (found.size() > 1) {
            reason.append(" (also: ").append(found.stream().skip(1).limit(4).map(
                    CredentialFinding::describe).collect(Collectors.joining("; "))).append(
                            found
                                    .size() > 5 ? "; and more" : "")
                    .append(")");
        }
        return Optional.of(reason.toString());
    }

    /** The credentials in what {@code call} would write; empty for reads and local tools. */
    public static List<CredentialFinding> credentials(ValidatedCall call) {
        return credentials(call, Long.MAX_VALUE);
    }

    /**
     * As {@link #credentials(ValidatedCall)}, reading at most {@code maxChars} characters of the
     * call's text in all (its values in declaration order, the last one cut): a bounded second
     * look where the full scan was made before (the ingress scans all; the decision worker, whose
     * loop every agent shares, looks again at the start only, so that one agent's large writes
     * cannot stall it: the worst case is about 0.4 ms per KiB).
     */
    public static List<CredentialFinding> credentials(ValidatedCall call, long maxChars) {
        if (call.tool().kind() != Tool.Kind.WRITE) {
            return List.of();
        }
        Scan scan = new Scan(maxChars);
        walk(call.tool().params(), call.arguments(), "", scan);
        List<CredentialFinding> findings = scan.findings;
        return findings.size() > MAX_FINDINGS
                ? List.copyOf(findings.subList(0, MAX_FINDINGS))
                : List.copyOf(findings);
    }

    /** What was found, and how many more characters may be read. */
    private static final class Scan {
        final List<CredentialFinding> findings = new ArrayList<>();
        long budget;

        Scan(long budget) {
            this.budget = budget;
        }
    }

    private static void walk(List<Param> params, Map<?, ?> values, String prefix, Scan findings) {
        Object path = values.get("path");
        for (Param param : params) {
            Object value = values.get(param.name());
            String name = prefix + param.name();
            if (value == null) {
                continue;
            }
            if (param.name().equals("content") && path instanceof String file
                    && value instanceof String content) {
                String text = "base64".equals(values.get("encoding"))
                        ? decoded(content)
                        : content;
                scan(text, file, true, findings);
            } else {
                visit(param, value, name, findings);
            }
        }
    }

    private static void visit(Param param, Object value, String name, Scan findings) {
        switch (param) {
            case Param.Str text when text.allowed().isEmpty() && value instanceof String s ->
                scan(s, name, s.indexOf('\n') >= 0, findings);
            case Param.Arr array when value instanceof List<?> items -> {
                for (int i = 0; i < items.size(); i++) {
                    visit(array.items(), items.get(i), name + "[" + i + "]", findings);
                }
            }
            case Param.Obj object when value instanceof Map<?, ?> fields ->
                walk(object.fields(), fields, name + ".", findings);
            case Param.StrMap map when value instanceof Map<?, ?> entries -> entries.forEach((
                    key, entry) -> {
                if (entry instanceof String s) {
                    scan(s, name + "." + key, s.indexOf('\n') >= 0, findings);
                }
            });
            default -> {
                // numbers, flags and values from a fixed list carry nothing an agent wrote
            }
        }
    }

    private static void scan(String text, String where, boolean withLine, Scan scan) {
        if (scan.findings.size() >= MAX_FINDINGS || scan.budget <= 0) {
            return;
        }
        String read = text.length() > scan.budget
                ? text.substring(0, (int) scan.budget)
                : text;
        scan.budget -= read.length();
        for (CredentialFinding found : CredentialDetector.find(read)) {
            scan.findings.add(found.at(where, withLine));
        }
    }

    /** Base64 content as bytes read one to a character, so text in any encoding is scanned. */
    private static String decoded(String base64) {
        try {
            return new String(Base64.getMimeDecoder().decode(base64),
                    StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return base64; // the tool's definition refuses it before any role acts on it
        }
    }
}
