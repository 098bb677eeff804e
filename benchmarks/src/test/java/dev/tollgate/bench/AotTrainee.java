package dev.tollgate.bench;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/** A small program for {@link AotCacheTest} to train and start a JDK AOT cache with. */
public final class AotTrainee {

    private AotTrainee() {
    }

    public static void main(String[] args) {
        Pattern digits = Pattern.compile("[0-9]+");
        long matched = IntStream.range(0, 20_000).mapToObj(i -> String.format(Locale.ROOT,
                "call-%d", i)).filter(s -> digits.matcher(s).find()).count();
        System.out.println("trainee matched " + matched);
    }
}
