package dev.tollgate.tools;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a call touches of one kind (file paths, issue and pull request numbers, git refs): the
 * items it names, and whether it can reach every item of that kind without naming it. A tree read
 * names no path but can reveal every file; a listing of issues names no number but reveals every
 * issue. Conditions on a kind treat "every" as touching all of it, so a read that cannot be
 * narrowed never slips past a condition that narrows.
 *
 * @param named the items the call names, in order, without duplicates
 * @param every why the call can reach every item of this kind without naming it; empty when it
 *        reaches only what it names
 * @param <T> the item type
 */
public record Scope<T>(List<T> named, Optional<String> every) {

    private static final Scope<?> NONE = new Scope<>(List.of(), Optional.empty());

    public Scope {
        named = List.copyOf(new LinkedHashSet<>(named));
        Objects.requireNonNull(every, "every");
    }

    /** Touches nothing of this kind. */
    @SuppressWarnings("unchecked")
    public static <T> Scope<T> none() {
        return (Scope<T>) NONE;
    }

    /** Touches exactly these items. */
    public static <T> Scope<T> of(List<T> items) {
        return new Scope<>(items, Optional.empty());
    }

    /** Touches every item of this kind, for the reason given (shown to agents and in the audit). */
    public static <T> Scope<T> every(String why) {
        return new Scope<>(List.of(), Optional.of(why));
    }

    /** This scope with one more named item. */
    public Scope<T> and(T item) {
        List<T> items = new ArrayList<>(named);
        items.add(item);
        return new Scope<>(items, every);
    }

    /** This scope, reaching every item as well (the first reason given is kept). */
    public Scope<T> andEvery(String why) {
        return new Scope<>(named, every.isPresent() ? every : Optional.of(why));
    }

    public boolean isEvery() {
        return every.isPresent();
    }

    /** Touches nothing of this kind: names none and cannot reach all. */
    public boolean isNone() {
        return named.isEmpty() && every.isEmpty();
    }

    @Override
    public String toString() {
        if (isEvery()) {
            return named.isEmpty()
                    ? "every (" + every.get() + ")"
                    : named + " and every ("
                            + every.get() + ")";
        }
        return named.toString();
    }
}
