package dev.tollgate.schemas.signing;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.schemas.EventTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The bytes a decision's signature covers, the same in every role and every release that can read
 * the decision:
 *
 * <ol>
 * <li>the Avro single-object header: {@code C3 01} and the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the schema the decision is encoded in;</li>
 * <li>the Avro binary encoding of the whole decision in that schema, with two rules that make it
 * deterministic: the {@code signature} field is written as null, and every map's entries are
 * written in ascending order of their keys' UTF-8 bytes (Avro itself writes a map in whatever
 * order the map iterates).</li>
 * </ol>
 *
 * The signer encodes in its current schema. A verifier first tries its own current schema, then
 * every released PolicyDecided schema that has the {@code signature} field, newest first: a
 * decision written by an older release (fields are only ever appended) re-encodes in that
 * release's schema to exactly the bytes its signer covered. Because the header names the schema,
 * a MAC can never be reinterpreted under another one.
 */
public final class DecisionCanonicalForm {

    static final String SIGNATURE_FIELD = "signature";

    /**
     * Schemas a signed decision can have been written in, the current one first, each with its
     * header and writer made once: the fingerprint normalizes the whole schema, which cost more
     * than the encoding itself on every signed and verified decision.
     */
    private static final List<Form> SIGNED_FORMS = findSignedSchemas().stream().map(Form::of)
            .toList();

    private static final List<Schema> SIGNED_SCHEMAS = SIGNED_FORMS.stream().map(Form::schema)
            .toList();

    private DecisionCanonicalForm() {
    }

    /** The canonical bytes of {@code decision} in the current schema (what a signer covers). */
    public static byte[] encode(PolicyDecided decision) {
        return SIGNED_FORMS.getFirst().encode(decision);
    }

    /** The canonical bytes of {@code decision} in {@code writer}, a PolicyDecided schema. */
    static byte[] encode(PolicyDecided decision, Schema writer) {
        for (Form form : SIGNED_FORMS) {
            if (form.schema() == writer) {
                return form.encode(decision);
            }
        }
        return Form.of(writer).encode(decision);
    }

    /** The schemas, current first, a verifier tries. */
    static List<Schema> signedSchemas() {
        return SIGNED_SCHEMAS;
    }

    private static List<Schema> findSignedSchemas() {
        List<Schema> schemas = new ArrayList<>();
        Schema current = PolicyDecided.getClassSchema();
        schemas.add(current);
        List<Schema> released = new ArrayList<>(EventTypes.of(PolicyDecided.class).released());
        java.util.Collections.reverse(released);
        for (Schema schema : released) {
            if (schema.getField(SIGNATURE_FIELD) != null && SchemaNormalization
                    .parsingFingerprint64(schema) != SchemaNormalization.parsingFingerprint64(
                            current)) {
                schemas.add(schema);
            }
        }
        return List.copyOf(schemas);
    }

    /**
     * One schema's header ({@code C3 01} and its fingerprint) and writer; Avro's datum writers
     * keep no state between writes, so one serves every thread.
     */
    private record Form(Schema schema, byte[] header, CanonicalWriter writer) {

        static Form of(Schema schema) {
            byte[] header = new byte[10];
            header[0] = (byte) 0xC3;
            header[1] = 0x01;
            long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) (fingerprint >>> (8 * i));
            }
            return new Form(schema, header, new CanonicalWriter(schema));
        }

        byte[] encode(PolicyDecided decision) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            out.writeBytes(header);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            try {
                writer.write(decision, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode a decision to sign it", e);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot encode the decision to sign or verify"
                        + " it: " + e.getMessage(), e);
            }
            return out.toByteArray();
        }
    }

    /** Avro's writer with the signature left out and maps in key order. */
    private static final class CanonicalWriter extends SpecificDatumWriter<Object> {

        private static final Comparator<Map.Entry<Object, Object>> BY_KEY = (a, b) -> Arrays
                .compareUnsigned(utf8(a.getKey()), utf8(b.getKey()));

        CanonicalWriter(Schema schema) {
            super(schema, SpecificData.getForClass(PolicyDecided.class));
        }

        @Override
        protected void writeField(Object datum, Schema.Field field, Encoder out, Object state)
                throws IOException {
            if (datum instanceof PolicyDecided && SIGNATURE_FIELD.equals(field.name())) {
                write(field.schema(), null, out);
                return;
            }
            super.writeField(datum, field, out, state);
        }

        @Override
        protected Iterable<Map.Entry<Object, Object>> getMapEntries(Object map) {
            List<Map.Entry<Object, Object>> entries = new ArrayList<>();
            super.getMapEntries(map).forEach(entries::add);
            entries.sort(BY_KEY);
            return entries;
        }

        private static byte[] utf8(Object key) {
            return key.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
