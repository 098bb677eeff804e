package dev.tollgate.schemas;

import dev.tollgate.events.GrantSummary;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A policy's {@link ToolGrant}s to and from their wire form, the {@code grants} of
 * {@code PolicyChanged}. A tool name the reader does not know (written by a newer decision worker)
 * is left out: an older ingress cannot list a tool it does not serve.
 */
public final class GrantEvents {

    private GrantEvents() {
    }

    /**
     * Most bytes the grants may take on a {@code PolicyChanged}, as encoded: a quarter of the
     * smallest record limit, so that a policy of thousands of grants still publishes its load
     * event, without them.
     */
    public static final int MAX_GRANT_BYTES = 256 * 1024;

    /**
     * The grants as published, or null (not published: an ingress then lists every tool) when
     * their encoding would take more than {@link #MAX_GRANT_BYTES}.
     */
    public static List<GrantSummary> toEventWithin(List<ToolGrant> grants) {
        List<GrantSummary> summaries = toEvent(grants);
        long size = 0;
        for (GrantSummary summary : summaries) {
            try {
                size += summary.toByteBuffer().remaining(); // Avro's own encoding of it
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (size > MAX_GRANT_BYTES) {
                return null;
            }
        }
        return summaries;
    }

    public static List<GrantSummary> toEvent(List<ToolGrant> grants) {
        return grants.stream().map(grant -> GrantSummary.newBuilder()
                .setName(grant.name())
                .setAgents(patterns(grant.agents()))
                .setEnvironments(patterns(grant.environments()))
                .setRepositories(new ArrayList<>(grant.repositories()))
                .setTools(new ArrayList<>(grant.toolNames()))
                .setMonitor(grant.monitor())
                .build()).toList();
    }

    public static List<ToolGrant> fromEvent(List<GrantSummary> grants) {
        return grants.stream().map(grant -> new ToolGrant(grant.getName(), globs(grant
                .getAgents()), globs(grant.getEnvironments()), grant.getRepositories(), tools(
                        grant.getTools()),
                grant.getMonitor())).toList();
    }

    private static List<List<String>> patterns(List<List<Glob>> lists) {
        return lists.stream().map(globs -> globs.stream().map(Glob::pattern).toList()).map(
                ArrayList::new).<List<String>>map(list -> list).toList();
    }

    private static List<List<Glob>> globs(List<List<String>> lists) {
        return lists.stream().map(patterns -> patterns.stream().map(Glob::of).toList()).toList();
    }

    private static Set<Tool> tools(List<String> names) {
        Set<Tool> tools = EnumSet.noneOf(Tool.class);
        names.forEach(name -> Tool.byToolName(name).ifPresent(tools::add));
        return tools;
    }
}
