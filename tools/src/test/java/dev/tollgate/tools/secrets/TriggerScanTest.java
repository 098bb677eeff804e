package dev.tollgate.tools.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TriggerScanTest {

    private static final TriggerScan SCAN = new TriggerScan(SecretShapes.ALL);

    /** What each trigger says of the text, asked in turn: the definition the scan must keep. */
    private static long definition(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        long bits = 0;
        for (int i = 0; i < SecretShapes.ALL.size(); i++) {
            if (SecretShapes.ALL.get(i).trigger().test(text, lower)) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    private static List<String> needles() {
        List<String> needles = new ArrayList<>();
        SecretShapes.ALL.forEach(shape -> needles.addAll(shape.trigger().needles()));
        return needles;
    }

    @Test
    void findsEveryNeedleOfEveryShapeAloneAndInsideText() {
        for (int i = 0; i < SecretShapes.ALL.size(); i++) {
            SecretShape.Trigger trigger = SecretShapes.ALL.get(i).trigger();
            for (String needle : trigger.needles()) {
                String cased = trigger.ignoreCase() ? needle.toUpperCase(Locale.ROOT) : needle;

                long alone = SCAN.triggered(needle);
                long inside = SCAN.triggered("see " + cased + " here");

                assertThat(alone & (1L << i)).as("%s alone", needle).isNotZero();
                assertThat(inside & (1L << i)).as("%s inside text", cased).isNotZero();
                assertThat(inside).as(cased).isEqualTo(definition("see " + cased + " here"));
            }
        }
    }

    @Test
    void findsNothingInTextWithoutANeedle() {
        assertThat(SCAN.triggered("")).isZero();
        assertThat(SCAN.triggered("octo-org/hello-world src/main/java/App.java 3d21ec53"))
                .isZero();
        assertThat(SCAN.triggered("ghp")).as("a needle's start at the end").isZero();
    }

    @Test
    void caseSensitiveNeedlesNeedTheirCase() {
        int github = indexOfShapeWithNeedle("ghp_");

        assertThat(SCAN.triggered("ghp_abc") & (1L << github)).isNotZero();
        assertThat(SCAN.triggered("GHP_abc") & (1L << github)).isZero();
        assertThat(definition("GHP_abc") & (1L << github)).isZero();
    }

    @Test
    void agreesWithEachTriggerOnRandomAsciiText() {
        Random random = new Random(20261206);
        List<String> needles = needles();
        String filler = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                + "0123456789 _-.:/=?&\"'{}";

        for (int round = 0; round < 20_000; round++) {
            String text = randomText(random, needles, filler, 60);

            assertThat(SCAN.triggered(text)).as("%s", text).isEqualTo(definition(text));
        }
    }

    @Test
    void nameAtLeastEveryTriggeredShapeOnTextBeyondAscii() {
        Random random = new Random(7);
        List<String> needles = needles();
        // Kelvin sign (lower-cases to k), dotted capital I (to "i" and a dot), sharp s, Greek,
        // a surrogate pair, a full-width letter
        String filler = "aK\u212A\u0130i\u00DF\u03A3\u03C3\uD83D\uDE00\uFF34xyz -_=";

        for (int round = 0; round < 20_000; round++) {
            String text = randomText(random, needles, filler, 40);

            long exact = definition(text);
            assertThat(SCAN.triggered(text) & exact).as("%s", text).isEqualTo(exact);
        }
        assertThat(SCAN.triggered("\u212Aey")).as("the Kelvin sign lower-cases to k")
                .isEqualTo(definition("\u212Aey")).isNotZero();
    }

    @Test
    void agreesWithEachTriggerOnLongText() {
        String padding = "the upload waits for the server's answer; ".repeat(100);
        String text = padding + " Bearer " + padding + " \u0130";

        assertThat(SCAN.triggered(text)).isEqualTo(definition(text)).isNotZero();
        assertThat(SCAN.triggered(padding + "ghp_")).isEqualTo(definition(padding + "ghp_"));
    }

    @Test
    void aTriggerIsNonEmptyAsciiAndLowerCaseWhenItIgnoresCase() {
        assertThatThrownBy(() -> SecretShape.Trigger.contains()).hasMessageContaining(
                "at least one needle");
        assertThatThrownBy(() -> SecretShape.Trigger.contains("")).hasMessageContaining(
                "non-empty ASCII");
        assertThatThrownBy(() -> SecretShape.Trigger.contains("t\u00F6ken")).hasMessageContaining(
                "non-empty ASCII");
        assertThatThrownBy(() -> SecretShape.Trigger.containsIgnoringCase("Token"))
                .hasMessageContaining("lower case");
    }

    @Test
    void theScanFilesNeedlesOfTwoCharactersOrMore() {
        SecretShape oneCharacter = new SecretShape(SecretKind.SECRET, java.util.regex.Pattern
                .compile("x"), SecretShape.Trigger.contains("x"), (text, match) -> true, 0);

        assertThatThrownBy(() -> new TriggerScan(List.of(oneCharacter))).hasMessageContaining(
                "at least two characters long: x");
    }

    private static String randomText(Random random, List<String> needles, String filler,
            int maxParts) {
        StringBuilder text = new StringBuilder();
        int parts = random.nextInt(maxParts);
        for (int p = 0; p < parts; p++) {
            if (random.nextInt(4) == 0) {
                String needle = needles.get(random.nextInt(needles.size()));
                // the whole needle, or a piece of it; in its case, upper case or mixed
                String piece = random.nextBoolean()
                        ? needle
                        : needle.substring(0, 1 + random
                                .nextInt(needle.length()));
                text.append(switch (random.nextInt(3)) {
                    case 0 -> piece;
                    case 1 -> piece.toUpperCase(Locale.ROOT);
                    default -> mixedCase(random, piece);
                });
            } else {
                text.append(filler.charAt(random.nextInt(filler.length())));
            }
        }
        return text.toString();
    }

    private static String mixedCase(Random random, String text) {
        StringBuilder mixed = new StringBuilder();
        for (char c : text.toCharArray()) {
            mixed.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return mixed.toString();
    }

    private static int indexOfShapeWithNeedle(String needle) {
        for (int i = 0; i < SecretShapes.ALL.size(); i++) {
            if (SecretShapes.ALL.get(i).trigger().needles().contains(needle)) {
                return i;
            }
        }
        throw new AssertionError("no shape has the needle " + needle);
    }
}
