package dev.tollgate.ingress.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {

    private static final int MAX = 5 * 1024 * 1024;

    @Test
    void aBodyOfTheDeclaredLengthIsReadIntoOneArrayOfThatLength() throws IOException {
        byte[] sent = bytes(MAX);

        byte[] read = BoundedBody.readAtMost(trickle(sent), MAX, MAX);

        assertThat(read).isEqualTo(sent);
    }

    @Test
    void aBodyOfUnknownLengthGrowsToTheBoundAndNeverPastIt() throws IOException {
        byte[] sent = bytes(MAX);

        byte[] exactlyTheBound = BoundedBody.readAtMost(trickle(sent), MAX, -1);
        byte[] oneByteMore = BoundedBody.readAtMost(trickle(bytes(MAX + 1)), MAX, -1);
        byte[] small = BoundedBody.readAtMost(trickle(bytes(10)), MAX, -1);

        assertThat(exactlyTheBound).isEqualTo(sent);
        assertThat(oneByteMore).isNull();
        assertThat(small).hasSize(10);
    }

    @Test
    void aDeclaredLengthOverTheBoundIsRefusedWithoutReadingAByte() throws IOException {
        CountingStream in = new CountingStream(bytes(100));

        byte[] read = BoundedBody.readAtMost(in, 10, 11);

        assertThat(read).isNull();
        assertThat(in.reads).isZero();
    }

    @Test
    void aBodyLongerThanItsDeclaredLengthIsStillCutAtTheBound() throws IOException {
        byte[] within = BoundedBody.readAtMost(new ByteArrayInputStream(bytes(12)), 20, 4);
        byte[] beyond = BoundedBody.readAtMost(new ByteArrayInputStream(bytes(21)), 20, 4);

        assertThat(within).isEqualTo(bytes(12));
        assertThat(beyond).isNull();
    }

    @Test
    void aBodyShorterThanDeclaredIsWhatArrived() throws IOException {
        byte[] read = BoundedBody.readAtMost(new ByteArrayInputStream(bytes(3)), 20, 10);

        assertThat(read).isEqualTo(bytes(3));
    }

    @Test
    void emptyBodiesAreEmpty() throws IOException {
        assertThat(BoundedBody.readAtMost(new ByteArrayInputStream(new byte[0]), 10, 0))
                .isEmpty();
        assertThat(BoundedBody.readAtMost(new ByteArrayInputStream(new byte[0]), 10, -1))
                .isEmpty();
        assertThat(BoundedBody.readAtMost(new ByteArrayInputStream(new byte[1]), 0, -1))
                .isNull();
    }

    private static byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        return bytes;
    }

    /** At most 1000 bytes per read, as a socket gives them. */
    private static InputStream trickle(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1000));
            }
        };
    }

    private static final class CountingStream extends FilterInputStream {
        int reads;

        CountingStream(byte[] bytes) {
            super(new ByteArrayInputStream(bytes));
        }

        @Override
        public int read() throws IOException {
            reads++;
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads++;
            return super.read(b, off, len);
        }
    }
}
