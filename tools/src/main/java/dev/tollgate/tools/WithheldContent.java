package dev.tollgate.tools;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Proof, not copies, of what agents write. Every {@link Param.Format#CONTENT} value of a call (an
 * issue's or comment's body, a check run's summary, a pushed file's content) is withheld from the
 * topics kept forever: the request there carries its proof in its place, {@code [withheld
 * sha256:<hex of its UTF-8 bytes> bytes:<n>]}, and the values themselves travel, by JSON pointer,
 * on a topic that forgets. The executor puts them back ({@link #restore}) after checking each
 * against its proof, which the signed decision carries: a value that does not match is refused.
 *
 * <p>Everything a policy decides on (repository, numbers, branches, paths, labels, titles) stays in
 * the clear, so the decision worker and a compliance replay decide on the arguments with proofs
 * exactly as on the whole ones.
 */
public final class WithheldContent {

    private static final Pattern PROOF = Pattern.compile(
            "\\[withheld sha256:([0-9a-f]{64}) bytes:(0|[1-9][0-9]{0,9})]");

    private WithheldContent() {
    }

    /**
     * A call's arguments with its content withheld.
     *
     * @param arguments the normalized arguments, each content value replaced by its proof
     * @param values the values withheld, by JSON pointer (e.g. {@code /files/0/content}), sorted
     */
    public record Split(Map<String, Object> arguments, SortedMap<String, String> values) {

        public Split {
            arguments = Collections.unmodifiableMap(new TreeMap<>(arguments));
            values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
        }

        /** True if anything was withheld. */
        public boolean withheld() {
            return !values.isEmpty();
        }

        /** The arguments with proofs, as JSON with sorted keys. */
        public String argumentsJson() {
            return Json.write(arguments);
        }

        /** The withheld values as one JSON object, pointer to value, sorted. */
        public String valuesJson() {
            return Json.write(values);
        }
    }

    /** Raised when withheld values do not fit the arguments they were withheld from. */
    public static final class MismatchException extends IllegalArgumentException {

        MismatchException(String message) {
            super(message);
        }
    }

    /** The proof that stands for {@code value} where it is withheld. */
    public static String proofOf(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return "[withheld sha256:" + sha256(bytes) + " bytes:" + bytes.length + "]";
    }

    /** True if {@code value} is a proof standing for a withheld value. */
    public static boolean isProof(String value) {
        return value != null && value.startsWith("[withheld sha256:") && PROOF.matcher(value)
                .matches();
    }

    /**
     * {@code call} with every content value withheld. A content value that already reads as a
     * proof is refused: a proof in the arguments stands only for a value the gateway withheld.
     *
     * @throws InvalidArgumentException naming the argument whose value reads as a proof
     */
    public static Split split(ValidatedCall call) {
        if (!declaresContent(call.tool().params())) { // reads: nothing to walk
            return new Split(call.arguments(), new TreeMap<>());
        }
        SortedMap<String, String> values = new TreeMap<>();
        Map<String, Object> arguments = walk(call.tool().params(), call.arguments(), "", "",
                (pointer, field, value) -> {
                    if (isProof(value)) {
                        throw new InvalidArgumentException(field, "reads as a proof of withheld"
                                + " content ([withheld sha256:… bytes:…]), which only the"
                                + " gateway writes");
                    }
                    values.put(pointer, value);
                    return proofOf(value);
                });
        return new Split(arguments, values);
    }

    /**
     * True if any content value of {@code arguments} (normalized for {@code tool}) is a proof:
     * the call cannot be performed without its withheld values.
     */
    public static boolean anyWithheld(ToolDefinition tool, Map<String, Object> arguments) {
        if (!declaresContent(tool.params())) {
            return false;
        }
        boolean[] found = {false};
        walk(tool.params(), arguments, "", "", (pointer, field, value) -> {
            found[0] |= isProof(value);
            return value;
        });
        return found[0];
    }

    /**
     * {@code arguments} with each proof replaced by its withheld value from {@code values}. Every
     * proof must have its value, every value must match its proof (SHA-256 and size), and no
     * value may be left over.
     *
     * @throws MismatchException naming the first pointer that does not fit
     */
    public static Map<String, Object> restore(ToolDefinition tool, Map<String, Object> arguments,
            Map<String, String> values) {
        List<String> used = new ArrayList<>();
        Map<String, Object> restored = walk(tool.params(), arguments, "", "", (pointer, field,
                value) -> {
            if (!isProof(value)) {
                throw new MismatchException(pointer + " was not withheld, yet the request has"
                        + " withheld content");
            }
            String withheld = values.get(pointer);
            if (withheld == null) {
                throw new MismatchException(pointer + " has no withheld value");
            }
            if (!proofOf(withheld).equals(value)) {
                throw new MismatchException(pointer + "'s withheld value does not match its"
                        + " proof");
            }
            used.add(pointer);
            return withheld;
        });
        if (used.size() != values.size()) {
            List<String> extra = new ArrayList<>(values.keySet());
            extra.removeAll(used);
            throw new MismatchException("withheld values for no argument: " + extra);
        }
        return restored;
    }

    /** True if any of {@code params}, at any depth, is content. */
    private static boolean declaresContent(List<Param> params) {
        for (Param param : params) {
            boolean content = switch (param) {
                case Param.Str str -> str.content();
                case Param.Obj obj -> declaresContent(obj.fields());
                case Param.Arr arr -> declaresContent(List.of(arr.items()));
                default -> false;
            };
            if (content) {
                return true;
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface Visitor {
        String visit(String pointer, String field, String value);
    }

    /** A copy of {@code arguments} with each content string replaced by what {@code visitor} gives. */
    private static Map<String, Object> walk(List<Param> params, Map<?, ?> arguments,
            String pointer, String field, Visitor visitor) {
        Map<String, Object> copy = new TreeMap<>();
        arguments.forEach((key, value) -> copy.put(String.valueOf(key), value));
        for (Param param : params) {
            Object value = copy.get(param.name());
            if (value != null) {
                copy.put(param.name(), walk(param, value, pointer + "/" + param.name(), field
                        .isEmpty() ? param.name() : field + "." + param.name(), visitor));
            }
        }
        return copy;
    }

    private static Object walk(Param param, Object value, String pointer, String field,
            Visitor visitor) {
        return switch (param) {
            case Param.Str str when str.content() && value instanceof String text -> visitor.visit(
                    pointer, field, text);
            case Param.Obj obj when value instanceof Map<?, ?> map -> walk(obj.fields(), map,
                    pointer, field, visitor);
            case Param.Arr arr when value instanceof List<?> list -> {
                List<Object> items = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    items.add(walk(arr.items(), list.get(i), pointer + "/" + i, field + "[" + i
                            + "]", visitor));
                }
                yield Collections.unmodifiableList(items);
            }
            default -> value;
        };
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
