package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * A policy means the same thing for every way of reaching the same data: for every pair of calls
 * that read the same content (a file by get_file and by its contents URL, by a tree, a blob, a
 * commit's patch or a comparison; a pull request by number and through a listing or its files),
 * any policy gives the indirect form the same or a stricter decision. Policies are random, seeded
 * per repetition so a failure reproduces; every pair is tried against each.
 */
class IndirectReadsPropertyTest {

    private static final String REPO = "/repos/myorg/app";
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    /** Two calls that can reveal the same content: the direct one names it. */
    record Pair(String name, DecisionRequest direct, DecisionRequest indirect) {
    }

    private static DecisionRequest call(String tool, Map<String, Object> arguments) {
        return DecisionRequest.forCall("bot", "prod", tool, arguments);
    }

    private static DecisionRequest getFile(String path, String ref) {
        Map<String, Object> args = new LinkedHashMap<>(Map.of("owner", "myorg", "repo", "app",
                "path", path));
        if (ref != null) {
            args.put("ref", ref);
        }
        return call("get_file", args);
    }

    private static DecisionRequest api(String path, Map<String, Object> query) {
        return call("github_api_get", Map.of("path", REPO + path, "query", query));
    }

    private static DecisionRequest api(String path) {
        return api(path, Map.of());
    }

    static List<Pair> pairs() {
        List<Pair> pairs = new ArrayList<>();
        for (String path : List.of("README.md", "secrets/prod.env", "docs/a.md",
                ".github/workflows/ci.yml")) {
            for (String ref : new String[]{null, "main", "release", "agent-x", "release/v2"}) {
                DecisionRequest direct = getFile(path, ref);
                String at = ref == null ? "main" : ref;
                pairs.add(new Pair("contents URL of " + path + "@" + ref, direct, api("/contents/"
                        + path, ref == null ? Map.of() : Map.of("ref", ref))));
                pairs.add(new Pair("tree for " + path + "@" + ref, direct, api("/git/trees/" + at,
                        Map.of("recursive", "1"))));
                pairs.add(new Pair("blob for " + path + "@" + ref, direct, api("/git/blobs/"
                        + SHA)));
                pairs.add(new Pair("commit patch for " + path + "@" + ref, direct, api(
                        "/commits/" + at)));
                pairs.add(new Pair("comparison for " + path + "@" + ref, direct, api(
                        "/compare/main..." + at)));
                pairs.add(new Pair("get_file by SHA for " + path + "@" + ref, direct, getFile(path,
                        SHA)));
                pairs.add(new Pair("unknown route for " + path + "@" + ref, direct, api(
                        "/dependency-graph/sbom")));
                pairs.add(new Pair("pull request files for " + path + "@" + ref, direct, api(
                        "/pulls/42/files")));
                pairs.add(new Pair("contents URL by refs/heads/ for " + path + "@" + ref, direct,
                        api("/contents/" + path, Map.of("ref", "refs/heads/" + at))));
                pairs.add(new Pair("get_file by heads/ for " + path + "@" + ref, direct, getFile(
                        path, "heads/" + at)));
                pairs.add(new Pair("commit patch by heads/ for " + path + "@" + ref, direct, api(
                        "/commits/heads/" + at)));
                pairs.add(new Pair("get_file by a pull request's ref for " + path + "@" + ref,
                        direct, getFile(path, "pull/42/merge")));
                pairs.add(new Pair("issue timeline's review comments for " + path + "@" + ref,
                        direct, api("/issues/42/timeline")));
                pairs.add(new Pair("repository events' review comments for " + path + "@" + ref,
                        direct, api("/events")));
                pairs.add(new Pair("get_tree for " + path + "@" + ref, direct, call("get_tree",
                        Map.of("owner", "myorg", "repo", "app", "ref", at, "recursive", true))));
                if (ref == null) {
                    pairs.add(new Pair("search_code for " + path, direct, call("search_code",
                            Map.of("owner", "myorg", "repo", "app", "query", "password"))));
                }
                pairs.add(new Pair("compare_refs for " + path + "@" + ref, direct, call(
                        "compare_refs", Map.of("owner", "myorg", "repo", "app", "base", "main",
                                "head", at))));
                pairs.add(new Pair("list_pull_request_files for " + path + "@" + ref, direct,
                        call("list_pull_request_files", Map.of("owner", "myorg", "repo", "app",
                                "pull_number", 42))));
                pairs.add(new Pair("get_job_log for " + path + "@" + ref, direct, call(
                        "get_job_log", Map.of("owner", "myorg", "repo", "app", "job_id", 34))));
                if (path.equals("README.md")) {
                    pairs.add(new Pair("readme for " + path + "@" + ref, direct, api("/readme",
                            ref == null ? Map.of() : Map.of("ref", ref))));
                }
            }
        }
        for (long number : new long[]{7, 42, 99}) {
            DecisionRequest pull = api("/pulls/" + number);
            DecisionRequest issue = api("/issues/" + number);
            pairs.add(new Pair("files of #" + number, pull, api("/pulls/" + number + "/files")));
            pairs.add(new Pair("review comments of #" + number, pull, api("/pulls/" + number
                    + "/comments")));
            pairs.add(new Pair("pulls listing for #" + number, pull, api("/pulls")));
            pairs.add(new Pair("all review comments for #" + number, pull, api(
                    "/pulls/comments")));
            pairs.add(new Pair("issues listing for #" + number, issue, api("/issues")));
            pairs.add(new Pair("a comment by ID for #" + number, issue, api(
                    "/issues/comments/123")));
            pairs.add(new Pair("repository events for #" + number, issue, api("/events")));
            pairs.add(new Pair("a timeline's cross-references for #" + number, issue, api(
                    "/issues/7/timeline")));
            pairs.add(new Pair("sub-issues for #" + number, issue, api("/issues/7/sub_issues")));
            pairs.add(new Pair("pull request as issue #" + number, issue, api("/pulls/"
                    + number + "/files")));
            Map<String, Object> issueArgs = Map.of("owner", "myorg", "repo", "app",
                    "issue_number", number);
            Map<String, Object> pullArgs = Map.of("owner", "myorg", "repo", "app",
                    "pull_number", number);
            pairs.add(new Pair("get_pull_request #" + number, pull, call("get_pull_request",
                    pullArgs)));
            pairs.add(new Pair("list_pull_request_files #" + number, pull, call(
                    "list_pull_request_files", pullArgs)));
            pairs.add(new Pair("get_issue #" + number, issue, call("get_issue", issueArgs)));
            pairs.add(new Pair("list_issue_comments #" + number, issue, call(
                    "list_issue_comments", issueArgs)));
            pairs.add(new Pair("list_issues for #" + number, issue, call("list_issues", Map.of(
                    "owner", "myorg", "repo", "app"))));
            pairs.add(new Pair("search_issues for #" + number, issue, call("search_issues",
                    Map.of("owner", "myorg", "repo", "app", "query", "crash"))));
            pairs.add(new Pair("search_issues for pull request #" + number, pull, call(
                    "search_issues", Map.of("owner", "myorg", "repo", "app", "query", "is:pr"))));
        }
        return pairs;
    }

    private static final List<Pair> PAIRS = pairs();

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static <T> List<T> some(Random random, List<T> values) {
        List<T> chosen = new ArrayList<>();
        for (T value : values) {
            if (random.nextInt(3) == 0) {
                chosen.add(value);
            }
        }
        return chosen;
    }

    private static Conditions conditions(Random random, boolean onDeny) {
        Conditions conditions = Conditions.NONE;
        if (random.nextInt(3) == 0) {
            conditions = conditions.withPaths(some(random, List.of("docs/**", "README.md", "**",
                    "secrets/**", ".github/**")).toArray(String[]::new));
        }
        if (!onDeny && random.nextInt(4) == 0) {
            conditions = conditions.withExcludePaths(some(random, List.of("secrets/**",
                    ".github/")).toArray(String[]::new));
        }
        if (random.nextInt(4) == 0) {
            // a grant that pushes may not name main (a policy error); reads are what is tested
            conditions = conditions.withBranches(some(random, onDeny
                    ? List.of("main", "release", "agent-*")
                    : List.of("release", "agent-*", "develop")).toArray(String[]::new));
        }
        if (random.nextInt(4) == 0) {
            conditions = conditions.withPullRequests(some(random, List.of(42L, 99L)).toArray(
                    Long[]::new));
        }
        if (random.nextInt(5) == 0) {
            conditions = conditions.withIssues(some(random, List.of(7L)).toArray(Long[]::new));
        }
        return conditions;
    }

    static Policy randomPolicy(Random random) {
        List<Grant> grants = new ArrayList<>();
        for (int i = random.nextInt(3) + 1; i > 0; i--) {
            Grant grant = Grant.of(pick(random, List.of("myorg/app", "myorg/*")), some(random,
                    List.of(Tier.READ, Tier.WRITE, Tier.PUSH_NEW_BRANCH)).toArray(Tier[]::new));
            // A grant naming a tool grants that tool: the direct tools and the passthrough, which
            // covers every read, are what a grant names here; denies name the new tools too.
            List<Tool> actions = some(random, List.of(Tool.GET_FILE, Tool.GITHUB_API_GET,
                    Tool.LIST_PULL_REQUESTS, Tool.READ_REPO));
            if (!actions.isEmpty()) {
                grant = grant.withActions(actions.toArray(Tool[]::new));
            }
            grants.add(grant.withConditions(conditions(random, false)).named("grant " + i));
        }
        List<DenyRule> denies = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            DenyRule deny = DenyRule.of("deny " + i, "denied " + i).when(conditions(random,
                    true));
            List<Tool> actions = some(random, List.of(Tool.GET_FILE, Tool.GITHUB_API_GET,
                    Tool.LIST_PULL_REQUESTS, Tool.PUSH_FILES, Tool.GET_PULL_REQUEST,
                    Tool.COMPARE_REFS, Tool.GET_TREE, Tool.GET_ISSUE, Tool.GET_JOB_LOG,
                    Tool.SEARCH_CODE, Tool.SEARCH_ISSUES));
            denies.add(actions.isEmpty() ? deny : deny.forActions(actions.toArray(Tool[]::new)));
        }
        return Policy.of(RuleSet.enforcing("default", grants, denies));
    }

    @RepeatedTest(5)
    void theIndirectFormIsNeverAllowedWhereTheDirectOneIsDenied(RepetitionInfo repetition) {
        Random random = new Random(7000L + repetition.getCurrentRepetition());
        int indirectAllowed = 0;
        int indirectStricter = 0;

        for (int i = 0; i < 400; i++) {
            Policy policy = randomPolicy(random);
            PolicyEngine engine = new PolicyEngine(policy);
            for (Pair pair : PAIRS) {
                Decision direct = engine.decide(pair.direct());
                Decision indirect = engine.decide(pair.indirect());

                if (indirect.allowed()) {
                    indirectAllowed++;
                    assertThat(direct.allowed()).as("%s under %s: the indirect form is allowed (%s)"
                            + " but the direct one is denied (%s)", pair.name(), policy.ruleSets(),
                            indirect.reason(), direct.reason()).isTrue();
                } else if (direct.allowed()) {
                    indirectStricter++;
                }
            }
        }

        assertThat(indirectAllowed).as("pairs where both were allowed: the property was tested")
                .isGreaterThan(100);
        assertThat(indirectStricter).as("pairs where only the direct form was allowed")
                .isGreaterThan(100);
    }

    @Test
    void theCasesFromTheReviewAreRefusedInTheIndirectFormToo() {
        Policy secrets = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("myorg/app",
                Tier.READ)), List.of(
                        DenyRule.of("no secrets", "secrets are humans' only").when(
                                Conditions.NONE.withPaths("secrets/**")))));
        Policy pull42 = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("myorg/app",
                Tier.READ).withConditions(Conditions.NONE.withPullRequests(42L))), List.of()));

        for (DecisionRequest request : List.of(getFile("secrets/prod.env", null), api(
                "/contents/secrets/prod.env"), api("/git/trees/main", Map.of("recursive", "1")),
                api("/git/blobs/" + SHA))) {
            assertThat(new PolicyEngine(secrets).decide(request)).as(request.target().describe())
                    .isInstanceOfSatisfying(Denied.class, denied -> assertThat(denied.reason())
                            .contains("secrets are humans' only"));
        }
        assertThat(new PolicyEngine(pull42).decide(api("/pulls/99/files")).reason()).contains(
                "#99 is not one of them");
        assertThat(new PolicyEngine(pull42).decide(api("/pulls/42/files")).allowed()).isTrue();
        assertThat(new PolicyEngine(pull42).decide(api("/pulls")).reason()).contains(
                "can reveal every issue and pull request");
        assertThat(Set.of(new PolicyEngine(secrets).decide(api("/git/trees/main")).reason()))
                .allMatch(reason -> reason.contains("get_file"));
    }
}
