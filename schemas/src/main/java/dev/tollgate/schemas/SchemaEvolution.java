package dev.tollgate.schemas;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Our rules for changing a wire contract: data written with the older schema reads with the newer
 * (backward), data written with the newer reads with the older (forward), and fields are only ever
 * appended, at the end of a record, with defaults. Nothing is renamed or removed.
 */
public final class SchemaEvolution {

    private SchemaEvolution() {
    }

    /** What is wrong with evolving {@code older} into {@code newer}; empty when it is allowed. */
    public static List<String> problems(Schema older, Schema newer) {
        List<String> problems = new ArrayList<>();
        var backward = SchemaCompatibility.checkReaderWriterCompatibility(newer, older);
        if (backward.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add("old data cannot be read with the new schema: "
                    + describe(backward.getResult()));
        }
        var forward = SchemaCompatibility.checkReaderWriterCompatibility(older, newer);
        if (forward.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add("new data cannot be read with the old schema: "
                    + describe(forward.getResult()));
        }
        checkAppendOnly(older, newer, older.getFullName(), problems);
        return problems;
    }

    private static String describe(SchemaCompatibility.SchemaCompatibilityResult result) {
        return result.getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                .reduce((a, b) -> a + "; " + b).orElse(result.getCompatibility().toString());
    }

    private static void checkAppendOnly(Schema older, Schema newer, String path,
            List<String> problems) {
        if (older.getType() == Schema.Type.ENUM && newer.getType() == Schema.Type.ENUM) {
            List<String> oldSymbols = older.getEnumSymbols();
            List<String> newSymbols = newer.getEnumSymbols();
            if (newSymbols.size() < oldSymbols.size()
                    || !newSymbols.subList(0, oldSymbols.size()).equals(oldSymbols)) {
                problems.add("enum " + path + " lost or reordered symbols " + oldSymbols + " -> "
                        + newSymbols + ": symbols may only be appended");
            }
            return;
        }
        if (older.getType() == Schema.Type.UNION && newer.getType() == Schema.Type.UNION) {
            for (Schema branch : older.getTypes()) {
                if (branch.getType() == Schema.Type.RECORD
                        || branch.getType() == Schema.Type.ENUM) {
                    Schema counterpart = newer.getTypes().stream()
                            .filter(s -> s.getType() == branch.getType()
                                    && s.getFullName().equals(branch.getFullName()))
                            .findFirst().orElse(null);
                    if (counterpart != null) {
                        checkAppendOnly(branch, counterpart, path, problems);
                    }
                }
            }
            return;
        }
        if (older.getType() == Schema.Type.ARRAY && newer.getType() == Schema.Type.ARRAY) {
            checkAppendOnly(older.getElementType(), newer.getElementType(), path + "[]",
                    problems);
            return;
        }
        if (older.getType() != Schema.Type.RECORD || newer.getType() != Schema.Type.RECORD) {
            return;
        }
        List<Schema.Field> oldFields = older.getFields();
        List<Schema.Field> newFields = newer.getFields();
        for (int i = 0; i < oldFields.size(); i++) {
            String name = oldFields.get(i).name();
            if (i >= newFields.size() || !newFields.get(i).name().equals(name)) {
                problems.add("field " + path + "." + name
                        + " was removed, renamed or moved: fields may only be appended at the end");
                return;
            }
            checkAppendOnly(oldFields.get(i).schema(), newFields.get(i).schema(),
                    path + "." + name, problems);
        }
        for (int i = oldFields.size(); i < newFields.size(); i++) {
            if (!newFields.get(i).hasDefaultValue()) {
                problems.add("new field " + path + "." + newFields.get(i).name()
                        + " has no default");
            }
        }
    }
}
