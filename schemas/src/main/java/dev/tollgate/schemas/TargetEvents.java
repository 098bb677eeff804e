package dev.tollgate.schemas;

import dev.tollgate.events.NumberKind;
import dev.tollgate.events.Resource;
import dev.tollgate.tools.Scope;
import dev.tollgate.tools.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A call's {@link Target} (the tools module's, which every role parses) to and from its wire form,
 * the {@code Target} record on {@code ToolCallRequested}. Both directions are lossless: a target
 * read back equals the one written.
 */
public final class TargetEvents {

    private TargetEvents() {
    }

    public static dev.tollgate.events.Target toEvent(Target target) {
        return dev.tollgate.events.Target.newBuilder()
                .setHost(target.host())
                .setOwner(target.owner())
                .setRepo(target.repo())
                .setNumbers(new ArrayList<>(target.numbers().named()))
                .setEveryNumber(target.numbers().every().orElse(null))
                .setNumberKind(NumberKind.valueOf(target.numberKind().name()))
                .setRefs(new ArrayList<>(target.refs().named()))
                .setEveryRef(target.refs().every().orElse(null))
                .setBranch(target.branch())
                .setPaths(new ArrayList<>(target.paths().named()))
                .setEveryPath(target.paths().every().orElse(null))
                .setLabels(new ArrayList<>(target.labels()))
                .setBase(target.base())
                .setHeadOwner(target.head() == null ? null : target.head().owner())
                .setHeadRepo(target.head() == null ? null : target.head().repo())
                .setHeadBranch(target.head() == null ? null : target.head().branch())
                .setDraft(target.draft())
                .build();
    }

    public static Target fromEvent(dev.tollgate.events.Target event) {
        Target.Head head = event.getHeadBranch() == null
                ? null
                : new Target.Head(event.getHeadOwner(), event.getHeadRepo(), event
                        .getHeadBranch());
        return new Target(event.getHost(), event.getOwner(), event.getRepo(), scope(event
                .getNumbers(), event.getEveryNumber()), Target.NumberKind.valueOf(
                        event
                                .getNumberKind().name()),
                scope(event.getRefs(), event.getEveryRef()), event.getBranch(), scope(event
                        .getPaths(), event.getEveryPath()),
                List.copyOf(event.getLabels()), event.getBase(), head, event.getDraft());
    }

    /**
     * The summary {@code Resource} of a target (the event field readers had before the target):
     * the repository, the first number, the first path and the branch written, else the first ref
     * read, else a pull request's base.
     */
    public static Resource resource(Target target) {
        String ref = target.branch() != null
                ? target.branch()
                : !target.refs().named().isEmpty()
                        ? target.refs().named().get(0)
                        : target.base();
        return Resource.newBuilder().setHost(target.host()).setOwner(target.owner()).setRepo(
                target.repo()).setNumber(first(target.numbers().named())).setPath(first(
                        target
                                .paths().named()))
                .setRef(ref).build();
    }

    private static <T> T first(List<T> items) {
        return items.isEmpty() ? null : items.get(0);
    }

    private static <T> Scope<T> scope(List<T> named, String every) {
        return new Scope<>(named, Optional.ofNullable(every));
    }
}
