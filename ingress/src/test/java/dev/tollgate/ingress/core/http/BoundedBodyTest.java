package dev.tollgate.ingress.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
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

    @Test
    void aBodyStillArrivingAfterItsDeadlineEndsInTooSlowSayingHowMuchCame() {
        long[] now = {0};
        InputStream slow = new FilterInputStream(new ByteArrayInputStream(bytes(100))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                now[0] += 10; // each read of a byte takes ten ticks
                return super.read(b, off, Math.min(len, 1));
            }
        };

        assertThatThrownBy(() -> BoundedBody.readAtMost(slow, 1000, 100, 35, () -> now[0]))
                .isInstanceOfSatisfying(BoundedBody.TooSlowException.class, e -> assertThat(e
                        .bytesRead()).isEqualTo(4))
                .hasMessage("the body had not arrived by its deadline (4 bytes read)");
    }

    @Test
    void aBodyOfUnknownLengthStillArrivingAfterItsDeadlineEndsInTooSlow() {
        long[] now = {0};
        InputStream slow = new FilterInputStream(new ByteArrayInputStream(bytes(20_000))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                now[0] += 10;
                return super.read(b, off, Math.min(len, 1000));
            }
        };

        assertThatThrownBy(() -> BoundedBody.readAtMost(slow, 100_000, -1, 25, () -> now[0]))
                .isInstanceOf(BoundedBody.TooSlowException.class);
    }

    @Test
    void aBodyWholeByItsDeadlineIsReadEvenWhenTheClockHasPassedItSince() throws IOException {
        long[] now = {0};
        InputStream onTime = new FilterInputStream(new ByteArrayInputStream(bytes(100))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                now[0] += 50; // the last byte arrives when the deadline has passed
                return super.read(b, off, len);
            }
        };

        assertThat(BoundedBody.readAtMost(onTime, 1000, 100, 10, () -> now[0])).isEqualTo(bytes(
                100));
    }

    @Test
    void aReadTheServerTimedOutIsTooSlowAndAnyOtherFailureIsItself() {
        InputStream timedOut = new InputStream() {
            @Override
            public int read() throws IOException {
                // as Tomcat reports an upload timeout: wrapped, the timeout a cause
                throw new IOException("client aborted", new SocketTimeoutException());
            }
        };
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };

        assertThatThrownBy(() -> BoundedBody.readAtMost(timedOut, 10, 5, Long.MAX_VALUE,
                System::nanoTime)).isInstanceOf(BoundedBody.TooSlowException.class)
                .hasCauseInstanceOf(
                        IOException.class);
        assertThatThrownBy(() -> BoundedBody.readAtMost(broken, 10, 5, Long.MAX_VALUE,
                System::nanoTime)).isNotInstanceOf(BoundedBody.TooSlowException.class)
                .hasMessage("connection reset");
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
