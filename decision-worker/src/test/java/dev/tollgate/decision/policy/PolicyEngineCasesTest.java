package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy core, table-driven: every tier, action, wildcard, condition, hard block, precedence
 * rule and mode. Each case is named for the behaviour it shows.
 */
class PolicyEngineCasesTest {

    /** What a case expects: allowed (maybe monitor-only), or denied of a kind. */
    record Expect(boolean allowed, boolean monitorOnly, Denied.Kind kind, String reasonPart) {
    }

    record Case(String name, Policy policy, DecisionRequest request, Expect expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case allows(String name, Policy policy, DecisionRequest request) {
        return new Case(name, policy, request, new Expect(true, false, null, null));
    }

    static Case monitors(String name, Policy policy, DecisionRequest request, String reasonPart) {
        return new Case(name, policy, request, new Expect(true, true, null, reasonPart));
    }

    static Case denies(String name, Policy policy, DecisionRequest request, Denied.Kind kind,
            String reasonPart) {
        return new Case(name, policy, request, new Expect(false, false, kind, reasonPart));
    }

    static DecisionRequest req(String tool, String repo) {
        return req("bot", "prod", tool, repo);
    }

    /** A request of {@code tool} with the arguments it needs (a branch, a number, ...). */
    static DecisionRequest req(String agent, String environment, String tool, String repo) {
        DecisionRequest request = DecisionRequest.of(agent, environment, tool, repo);
        return switch (tool) {
            case "push_files" -> request.withBranch("agent-fix").withPaths("src/App.java");
            case "create_branch" -> request.withBranch("agent-fix");
            case "update_pull_request_branch" -> request.withBranch("agent-fix").withNumber(12);
            case "create_pull_request_comment", "create_pending_review", "update_pending_review",
                    "discard_pending_review", "submit_pending_review" ->
                request.withNumber(12);
            case "create_pr" -> request.withBranch("agent-fix").withBase("main");
            default -> request;
        };
    }

    static Policy policy(Grant... grants) {
        return Policy.of(RuleSet.enforcing("default", List.of(grants), List.of()));
    }

    static Policy policy(List<Grant> grants, DenyRule... denies) {
        return Policy.of(RuleSet.enforcing("default", grants, List.of(denies)));
    }

    static Grant grant(String repo, Tier... tiers) {
        return Grant.of(repo, tiers);
    }

    /** GitHub's tools that reach it (the Forgejo ones are decided in ForgejoPolicyTest). */
    static List<Tool> remoteActions() {
        return Stream.of(Tool.values()).filter(action -> action.kind() != Tool.Kind.LOCAL
                && action.forge() == Forge.GITHUB).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesAsTheTableSays(Case c) {
        Decision decision = new PolicyEngine(c.policy()).decide(c.request());

        assertThat(decision.allowed()).as(decision.reason()).isEqualTo(c.expect().allowed());
        assertThat(decision.policyVersion()).isEqualTo(c.policy().version());
        assertThat(decision.rules()).isNotEmpty();
        assertThat(decision.reason()).isNotBlank();
        if (decision instanceof Allowed allowed) {
            assertThat(allowed.monitorOnly()).as(decision.reason()).isEqualTo(c.expect()
                    .monitorOnly());
        }
        if (decision instanceof Denied denied) {
            assertThat(denied.kind()).as(decision.reason()).isEqualTo(c.expect().kind());
        }
        if (c.expect().reasonPart() != null) {
            assertThat(decision.reason()).contains(c.expect().reasonPart());
        }
    }

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        all.addAll(tierMatrix());
        all.addAll(individualActions());
        all.addAll(tierConstraints());
        all.addAll(wildcards());
        all.addAll(agentsAndEnvironments());
        all.addAll(narrowing());
        all.addAll(conditions());
        all.addAll(hardBlocks());
        all.addAll(invalidRequests());
        all.addAll(denyRules());
        all.addAll(monitorMode());
        all.addAll(tokenNarrowing());
        return all.stream();
    }

    /** Every tier against every action that reaches GitHub. */
    static List<Case> tierMatrix() {
        List<Case> cases = new ArrayList<>();
        for (Tier tier : Tier.values()) {
            for (Tool action : remoteActions()) {
                Policy policy = policy(grant("myorg/app", tier));
                DecisionRequest request = req(action.toolName(), "myorg/app");
                if (tier.covers(action)) {
                    cases.add(allows("tier " + tier.key() + " allows " + action.toolName(),
                            policy, request));
                } else {
                    cases.add(denies("tier " + tier.key() + " does not allow " + action
                            .toolName(), policy, request, Denied.Kind.NO_GRANT, "not "
                                    + action
                                            .toolName()));
                }
            }
        }
        return cases;
    }

    /** Each action granted alone allows itself and nothing else. */
    static List<Case> individualActions() {
        List<Case> cases = new ArrayList<>();
        List<Tool> actions = remoteActions();
        for (int i = 0; i < actions.size(); i++) {
            Tool action = actions.get(i);
            Tool other = actions.get((i + 1) % actions.size());
            Policy policy = policy(grant("myorg/app").withActions(action));
            cases.add(allows("action " + action.toolName() + " granted alone allows it", policy,
                    req(action.toolName(), "myorg/app")));
            cases.add(denies("action " + action.toolName() + " granted alone does not allow "
                    + other.toolName(), policy, req(other.toolName(), "myorg/app"),
                    Denied.Kind.NO_GRANT, "grants " + action.toolName()));
        }
        return cases;
    }

    static List<Case> tierConstraints() {
        Policy push = policy(grant("myorg/app", Tier.PUSH_NEW_BRANCH));
        Policy draft = policy(grant("myorg/app", Tier.CREATE_DRAFT));
        Policy write = policy(grant("myorg/app", Tier.WRITE));
        return List.of(
                allows("push-new-branch allows push_files to an agent- branch", push, req(
                        "push_files", "myorg/app").withBranch("agent-docs")),
                denies("push-new-branch refuses push_files to a branch not named agent-", push,
                        req("push_files", "myorg/app").withBranch("feature-x"),
                        Denied.Kind.HARD_BLOCK, "only branches named agent-"),
                denies("push-new-branch refuses create_branch not named agent-", push, req(
                        "create_branch", "myorg/app").withBranch("hotfix"), Denied.Kind.HARD_BLOCK,
                        "'hotfix' is not an agent branch"),
                denies("push-new-branch does not imply create-draft", push, req("create_pr",
                        "myorg/app"), Denied.Kind.NO_GRANT, "not create_pr"),
                denies("create-draft does not imply push-new-branch", draft, req("push_files",
                        "myorg/app"), Denied.Kind.NO_GRANT, "not push_files"),
                allows("push-new-branch brings an agent- pull request branch up to date", push,
                        req("update_pull_request_branch", "myorg/app").withBranch("agent-docs")),
                denies("push-new-branch updates no pull request branch not named agent-", push,
                        req("update_pull_request_branch", "myorg/app").withBranch("feature-x"),
                        Denied.Kind.HARD_BLOCK, "only branches named agent-"),
                denies("create-draft does not update a pull request's branch", draft, req(
                        "update_pull_request_branch", "myorg/app").withBranch("agent-docs"),
                        Denied.Kind.NO_GRANT, "not update_pull_request_branch"),
                allows("create-draft allows create_pr when draft is not said (drafts by default)",
                        draft, req("create_pr", "myorg/app")),
                allows("create-draft allows create_pr with draft=true", draft, req("create_pr",
                        "myorg/app").withDraft(true)),
                denies("create-draft refuses a non-draft pull request", draft, req("create_pr",
                        "myorg/app").withDraft(false), Denied.Kind.NO_GRANT,
                        "draft pull requests only"),
                allows("write allows a non-draft pull request", write, req("create_pr",
                        "myorg/app").withDraft(false)),
                denies("create-draft does not take a draft out of draft", draft, req(
                        "mark_ready_for_review", "myorg/app"), Denied.Kind.NO_GRANT,
                        "not mark_ready_for_review"),
                denies("push-new-branch with create-draft does not either", policy(grant(
                        "myorg/app", Tier.PUSH_NEW_BRANCH, Tier.CREATE_DRAFT)), req(
                                "mark_ready_for_review", "myorg/app"),
                        Denied.Kind.NO_GRANT,
                        "mark_ready_for_review or write"),
                allows("write takes a draft out of draft", write, req("mark_ready_for_review",
                        "myorg/app")),
                allows("mark_ready_for_review granted by name beside create-draft", policy(grant(
                        "myorg/app", Tier.CREATE_DRAFT).withActions(Tool.MARK_READY_FOR_REVIEW)),
                        req("mark_ready_for_review", "myorg/app")),
                denies("the branch rule holds for write: no branch not named agent-", write, req(
                        "push_files", "myorg/app").withBranch("feature-x"),
                        Denied.Kind.HARD_BLOCK, "whatever the policy grants"),
                allows("create_pr granted alone allows a non-draft pull request", policy(grant(
                        "myorg/app").withActions(Tool.CREATE_PR)), req("create_pr",
                                "myorg/app").withDraft(false)),
                denies("the branch rule holds for push_files granted alone", policy(grant(
                        "myorg/app").withActions(Tool.PUSH_FILES)), req("push_files",
                                "myorg/app").withBranch("docs-update"),
                        Denied.Kind.HARD_BLOCK,
                        "not an agent branch"),
                allows("push_files granted alone allows an agent- branch", policy(grant(
                        "myorg/app").withActions(Tool.PUSH_FILES)), req("push_files",
                                "myorg/app").withBranch("agent-docs")),
                allows("push-new-branch with create-draft allows both pushing and a draft",
                        policy(grant("myorg/app", Tier.PUSH_NEW_BRANCH, Tier.CREATE_DRAFT)), req(
                                "create_pr", "myorg/app")),
                denies("read does not allow writes", policy(grant("myorg/app", Tier.READ)), req(
                        "create_issue", "myorg/app"), Denied.Kind.NO_GRANT,
                        "create_issue or write"),
                denies("pending-review does not allow pull request comments", policy(grant(
                        "myorg/app", Tier.PENDING_REVIEW)), req("create_pull_request_comment",
                                "myorg/app"),
                        Denied.Kind.NO_GRANT, "not create_pull_request_comment"));
    }

    static List<Case> wildcards() {
        return List.of(
                allows("an org wildcard covers a repository of that org", policy(grant("myorg/*",
                        Tier.READ)), req("get_file", "myorg/app")),
                denies("an org wildcard does not cover another org", policy(grant("myorg/*",
                        Tier.READ)), req("get_file", "other/app"), Denied.Kind.NO_GRANT,
                        "no grant covers other/app"),
                allows("the global wildcard covers any repository", policy(grant("*",
                        Tier.READ)), req("get_file", "anyone/anything")),
                denies("an exact grant narrower than the org wildcard wins", policy(grant(
                        "myorg/*", Tier.WRITE), grant("myorg/secret", Tier.READ)), req(
                                "create_issue", "myorg/secret"),
                        Denied.Kind.NO_GRANT,
                        "grant myorg/secret"),
                allows("an exact grant broader than the org wildcard wins", policy(grant(
                        "myorg/*", Tier.READ), grant("myorg/app", Tier.WRITE)), req(
                                "create_issue", "myorg/app")),
                allows("the org wildcard still applies to repositories without an exact grant",
                        policy(grant("myorg/*", Tier.WRITE), grant("myorg/secret", Tier.READ)),
                        req("create_issue", "myorg/other")),
                denies("a repository-prefix pattern beats the org wildcard", policy(grant(
                        "myorg/*", Tier.WRITE), grant("myorg/svc-*", Tier.READ)), req(
                                "create_issue", "myorg/svc-billing"),
                        Denied.Kind.NO_GRANT,
                        "grant myorg/svc-*"),
                allows("an exact grant beats a repository-prefix pattern", policy(grant(
                        "myorg/svc-*", Tier.READ), grant("myorg/svc-api", Tier.WRITE)), req(
                                "create_issue", "myorg/svc-api")),
                denies("an org wildcard beats the global wildcard", policy(grant("*", Tier.WRITE),
                        grant("myorg/*", Tier.READ)), req("create_issue", "myorg/app"),
                        Denied.Kind.NO_GRANT, "grant myorg/*"),
                allows("repository names compare case-insensitively", policy(grant("MyOrg/App",
                        Tier.READ)), DecisionRequest.of("bot", "prod", "get_file", "myorg/APP")),
                allows("grants of equal specificity unite", policy(grant("myorg/app", Tier.READ),
                        grant("myorg/app").withActions(Tool.CREATE_ISSUE)),
                        req(
                                "create_issue", "myorg/app")),
                denies("a repository-prefix pattern does not cover other names", policy(grant(
                        "myorg/svc-*", Tier.READ)), req("get_file", "myorg/web"),
                        Denied.Kind.NO_GRANT, "no grant covers"),
                denies("an org name is not a prefix match", policy(grant("myorg/*", Tier.READ)),
                        req("get_file", "myorg2/app"), Denied.Kind.NO_GRANT, "no grant covers"));
    }

    static List<Case> agentsAndEnvironments() {
        Grant reviewerOnly = grant("myorg/app", Tier.READ).withAgents("reviewer");
        Grant prodOnly = grant("myorg/app", Tier.READ).withEnvironments("prod");
        RuleSet reviewerSet = RuleSet.enforcing("reviewers", List.of(grant("myorg/app",
                Tier.WRITE)), List.of()).forAgents("reviewer");
        return List.of(
                allows("an agent's grant allows that agent", policy(reviewerOnly), DecisionRequest
                        .of("reviewer", "prod", "get_file", "myorg/app")),
                denies("an agent's grant does not allow another agent", policy(reviewerOnly), req(
                        "get_file", "myorg/app"), Denied.Kind.NO_GRANT, "agent 'bot'"),
                allows("an environment's grant allows in that environment", policy(prodOnly), req(
                        "get_file", "myorg/app")),
                denies("an environment's grant does not allow in another environment", policy(
                        prodOnly), DecisionRequest.of("bot", "dev", "get_file", "myorg/app"),
                        Denied.Kind.NO_GRANT, "environment 'dev'"),
                allows("agent globs match agent names", policy(grant("myorg/app", Tier.READ)
                        .withAgents("ci-*")), DecisionRequest.of("ci-linux", "prod", "get_file",
                                "myorg/app")),
                allows("a rule set for an agent applies to it", Policy.of(reviewerSet),
                        DecisionRequest.of("reviewer", "prod", "create_issue", "myorg/app")),
                denies("a rule set for an agent does not apply to others", Policy.of(reviewerSet),
                        req("create_issue", "myorg/app"), Denied.Kind.NO_GRANT,
                        "no grant covers"),
                denies("another agent's exact grant does not shadow the shared org grant",
                        policy(grant("myorg/*", Tier.READ), grant("myorg/app", Tier.WRITE)
                                .withAgents("reviewer")),
                        req("create_issue", "myorg/app"),
                        Denied.Kind.NO_GRANT, "grant myorg/*"),
                allows("the shared org grant still serves an agent without its own grant",
                        policy(grant("myorg/*", Tier.READ), grant("myorg/app", Tier.WRITE)
                                .withAgents("reviewer")),
                        req("get_file", "myorg/app")),
                allows("agent and environment together allow their pair", policy(grant(
                        "myorg/app", Tier.READ).withAgents("bot").withEnvironments("prod")), req(
                                "get_file", "myorg/app")),
                denies("agent and environment together refuse the agent elsewhere", policy(grant(
                        "myorg/app", Tier.READ).withAgents("bot").withEnvironments("prod")),
                        DecisionRequest.of("bot", "staging", "get_file", "myorg/app"),
                        Denied.Kind.NO_GRANT, "no grant covers"));
    }

    static List<Case> narrowing() {
        Policy review12 = policy(grant("myorg/app", Tier.READ, Tier.PENDING_REVIEW)
                .withConditions(Conditions.NONE.withPullRequests(12L)));
        return List.of(
                allows("a grant narrowed to PR 12 allows a pending review on 12", review12, req(
                        "create_pending_review", "myorg/app").withNumber(12)),
                denies("a grant narrowed to PR 12 refuses a pending review on 13", review12, req(
                        "create_pending_review", "myorg/app").withNumber(13),
                        Denied.Kind.NO_GRANT, "#13 is not one of them"),
                allows("a grant narrowed to PR 12 lets the agent rework its review on 12",
                        review12, req("update_pending_review", "myorg/app")),
                allows("a grant narrowed to PR 12 lets the agent discard its review on 12",
                        review12, req("discard_pending_review", "myorg/app")),
                denies("a grant narrowed to PR 12 refuses discarding a review on 13", review12,
                        req("discard_pending_review", "myorg/app").withNumber(13),
                        Denied.Kind.NO_GRANT, "#13 is not one of them"),
                denies("pending-review does not submit: a submitted review speaks for the team",
                        review12, req("submit_pending_review", "myorg/app"),
                        Denied.Kind.NO_GRANT, "submit_pending_review"),
                allows("write submits a pending review", policy(grant("myorg/app", Tier.WRITE)),
                        req("submit_pending_review", "myorg/app")),
                allows("a narrowed grant still allows reads that name no number", review12, req(
                        "get_file", "myorg/app")),
                denies("a narrowed grant refuses a write that names no number", policy(grant(
                        "myorg/app", Tier.WRITE).withConditions(
                                Conditions.NONE.withPullRequests(
                                        12L))),
                        req("create_issue", "myorg/app"), Denied.Kind.NO_GRANT,
                        "names none of them"),
                denies("a grant narrowed to issue 12 does not cover pull request 12", policy(grant(
                        "myorg/app", Tier.PENDING_REVIEW).withConditions(
                                Conditions.NONE
                                        .withIssues(12L))),
                        req("create_pending_review", "myorg/app")
                                .withNumber(12),
                        Denied.Kind.NO_GRANT, "issues [12]"),
                allows("a grant narrowed to PRs allows a comment on one of them", policy(grant(
                        "myorg/app").withActions(Tool.CREATE_PULL_REQUEST_COMMENT)
                        .withConditions(Conditions.NONE.withPullRequests(7L, 12L))),
                        req(
                                "create_pull_request_comment", "myorg/app").withNumber(7)),
                denies("a read naming another number is refused by a narrowed grant", review12,
                        req("github_api_get", "myorg/app").withNumber(99), Denied.Kind.NO_GRANT,
                        "#99"));
    }

    static List<Case> conditions() {
        Policy agentBranches = policy(grant("myorg/app", Tier.WRITE).withConditions(
                Conditions.NONE.withBranches("agent-*", "bot/**")));
        Policy docsOnly = policy(grant("myorg/app", Tier.WRITE).withConditions(Conditions.NONE
                .withPaths("docs/**")));
        Policy noWorkflows = policy(grant("myorg/app", Tier.WRITE).withConditions(
                Conditions.NONE.withExcludePaths(".github/workflows/")));
        Policy labels = policy(grant("myorg/app", Tier.WRITE).withConditions(Conditions.NONE
                .withLabels("bot", "triage")));
        return List.of(
                allows("a branch condition allows a matching branch", agentBranches, req(
                        "push_files", "myorg/app").withBranch("agent-deps")),
                denies("a branch condition refuses another branch", policy(grant("myorg/app",
                        Tier.WRITE).withConditions(Conditions.NONE.withBranches("agent-bot-*"))),
                        req("push_files", "myorg/app").withBranch("agent-1"),
                        Denied.Kind.NO_GRANT, "does not match"),
                denies("a branch condition on a read refuses another branch", agentBranches,
                        req("get_file", "myorg/app").withBranch("feature-1"),
                        Denied.Kind.NO_GRANT, "does not match"),
                denies("a branch condition on a grant compares case-sensitively", agentBranches,
                        req("get_file", "myorg/app").withBranch("AGENT-x"),
                        Denied.Kind.NO_GRANT, "does not match"),
                denies("a branch condition refuses a read by commit SHA (it reaches any branch)",
                        agentBranches, req("get_file", "myorg/app").withBranch("deadbeef"),
                        Denied.Kind.NO_GRANT, "can read any branch"),
                allows("a branch condition does not constrain reads that name no branch",
                        agentBranches, req("get_file", "myorg/app")),
                allows("a path condition allows a path under it", docsOnly, req("push_files",
                        "myorg/app").withPaths("docs/guide/intro.md")),
                denies("a path condition refuses a path outside it", docsOnly, req("push_files",
                        "myorg/app").withPaths("src/Main.java"), Denied.Kind.NO_GRANT,
                        "outside [docs/**]"),
                denies("a path condition refuses when any one path is outside", docsOnly, req(
                        "push_files", "myorg/app").withPaths("docs/a.md", "build.gradle"),
                        Denied.Kind.NO_GRANT, "'build.gradle'"),
                denies("an excluded folder refuses a workflow file", noWorkflows, req(
                        "push_files", "myorg/app").withPaths(".github/workflows/ci.yml"),
                        Denied.Kind.NO_GRANT, "excluded"),
                denies("an excluded folder refuses nested files", noWorkflows, req("push_files",
                        "myorg/app").withPaths(".github/workflows/sub/x.yml"),
                        Denied.Kind.NO_GRANT, "excluded"),
                denies("an excluded folder is matched after ./ and // are normalized",
                        noWorkflows, req("push_files", "myorg/app").withPaths(
                                "./.github//workflows/ci.yml"),
                        Denied.Kind.NO_GRANT, "excluded"),
                denies("an excluded folder is matched after inner ./ segments are removed",
                        noWorkflows, req("push_files", "myorg/app").withPaths(
                                ".github/./workflows/ci.yml"),
                        Denied.Kind.NO_GRANT, "excluded"),
                denies("an excluded folder is matched whatever the case", noWorkflows, req(
                        "push_files", "myorg/app").withPaths(".GitHub/Workflows/ci.yml"),
                        Denied.Kind.NO_GRANT, "excluded"),
                denies("a label condition compares labels ignoring case but still refuses others",
                        labels, req("create_issue", "myorg/app").withLabels("BOT", "urgent"),
                        Denied.Kind.NO_GRANT, "label 'urgent'"),
                allows("a label condition accepts a listed label in another case", labels, req(
                        "create_issue", "myorg/app").withLabels("Triage")),
                allows("an excluded folder leaves other paths", noWorkflows, req("push_files",
                        "myorg/app").withPaths(".github/CODEOWNERS")),
                allows("a label condition allows listed labels", labels, req("create_issue",
                        "myorg/app").withLabels("bot")),
                denies("a label condition refuses another label", labels, req("create_issue",
                        "myorg/app").withLabels("bot", "security"), Denied.Kind.NO_GRANT,
                        "label 'security'"),
                allows("a label condition does not constrain calls without labels", labels, req(
                        "create_issue", "myorg/app")),
                allows("a branch condition applies to the head of a pull request", policy(grant(
                        "myorg/app", Tier.CREATE_DRAFT).withConditions(
                                Conditions.NONE
                                        .withBranches("agent-*"))),
                        req("create_pr", "myorg/app")),
                denies("a branch condition refuses a pull request from another head", policy(
                        grant("myorg/app", Tier.CREATE_DRAFT).withConditions(Conditions.NONE
                                .withBranches("agent-*"))),
                        req("create_pr", "myorg/app")
                                .withBranch("feature"),
                        Denied.Kind.NO_GRANT,
                        "does not match"));
    }

    static List<Case> hardBlocks() {
        Policy everything = policy(grant("*", Tier.WRITE));
        Policy protectedRelease = policy(grant("*", Tier.WRITE)).withProtectedBranches(
                "release/*");
        RuleSet monitorAll = RuleSet.enforcing("rollout", List.of(grant("*", Tier.WRITE)), List
                .of()).inMode(Mode.MONITOR);
        return List.of(
                denies("delete_repo is blocked even with write on everything", everything, req(
                        "delete_repo", "myorg/app"), Denied.Kind.HARD_BLOCK,
                        "deleting a repository"),
                denies("an uncatalogued tool is blocked", everything, req("run_shell",
                        "myorg/app"), Denied.Kind.HARD_BLOCK, "not a catalogued tool"),
                denies("a request without a tool is blocked", everything, req("", "myorg/app"),
                        Denied.Kind.HARD_BLOCK, "names no tool"),
                denies("tool names are exact: GET_FILE is not catalogued", everything, req(
                        "GET_FILE", "myorg/app"), Denied.Kind.HARD_BLOCK, "not a catalogued"),
                denies("pushing to main is blocked even with write", everything, req(
                        "push_files", "myorg/app").withBranch("main"), Denied.Kind.HARD_BLOCK,
                        "protected branch"),
                denies("pushing to master is blocked", everything, req("push_files",
                        "myorg/app").withBranch("master"), Denied.Kind.HARD_BLOCK, "master"),
                denies("pushing to Main is blocked whatever the case", everything, req(
                        "push_files", "myorg/app").withBranch("Main"), Denied.Kind.HARD_BLOCK,
                        "protected"),
                denies("pushing to refs/heads/main is blocked", everything, req("push_files",
                        "myorg/app").withBranch("refs/heads/main"), Denied.Kind.HARD_BLOCK,
                        "protected"),
                denies("creating a branch named main is blocked", everything, req(
                        "create_branch", "myorg/app").withBranch("main"), Denied.Kind.HARD_BLOCK,
                        "protected"),
                denies("pushing to a configured protected pattern is blocked", protectedRelease,
                        req("push_files", "myorg/app").withBranch("release/2.0"),
                        Denied.Kind.HARD_BLOCK, "release/*"),
                allows("a branch merely containing a protected name is not blocked",
                        protectedRelease, req("push_files", "myorg/app").withBranch(
                                "agent-release-notes")),
                denies("a path with .. is blocked", everything, req("push_files", "myorg/app")
                        .withPaths("docs/../../etc/passwd"), Denied.Kind.HARD_BLOCK, "'..'"),
                denies("an absolute path is blocked", everything, req("get_file", "myorg/app")
                        .withPaths("/etc/passwd"), Denied.Kind.HARD_BLOCK, "relative"),
                denies("a percent-encoded traversal is blocked", everything, req("get_file",
                        "myorg/app").withPaths("docs/%2e%2e/secret"), Denied.Kind.HARD_BLOCK,
                        "encoded"),
                denies("a NUL in a path is blocked", everything, req("get_file", "myorg/app")
                        .withPaths("a\0b"), Denied.Kind.HARD_BLOCK, "NUL"),
                denies("hard blocks deny in monitor mode too", Policy.of(monitorAll), req(
                        "delete_repo", "myorg/app"), Denied.Kind.HARD_BLOCK, "hard-blocked"),
                denies("a protected push is blocked in monitor mode too", Policy.of(monitorAll),
                        req("push_files", "myorg/app").withBranch("main"),
                        Denied.Kind.HARD_BLOCK, "protected"),
                denies("a hard block wins over an explicit deny", policy(List.of(grant("*",
                        Tier.WRITE)), DenyRule.of("no-pushes", "no pushes").forActions(
                                Tool.PUSH_FILES)),
                        req("push_files", "myorg/app")
                                .withBranch("main"),
                        Denied.Kind.HARD_BLOCK, "protected"),
                denies("an empty policy blocks uncatalogued tools as hard blocks", Policy.empty(),
                        req("delete_repo", "myorg/app"), Denied.Kind.HARD_BLOCK,
                        "deleting a repository"));
    }

    static List<Case> invalidRequests() {
        Policy everything = policy(grant("*", Tier.WRITE));
        return List.of(
                denies("status is answered by the ingress, never decided", everything, req(
                        "status", "myorg/app"), Denied.Kind.INVALID_REQUEST, "ingress"),
                denies("get_request_status is answered by the ingress", everything, req(
                        "get_request_status", "myorg/app"), Denied.Kind.INVALID_REQUEST,
                        "ingress"),
                denies("a GitHub tool naming another host is refused", everything, req(
                        "get_file", "group/project").onHost("gitlab"),
                        Denied.Kind.INVALID_REQUEST, "acts on GitHub only"),
                denies("a request naming no repository is refused", everything, req("get_file",
                        null), Denied.Kind.INVALID_REQUEST, "must name a repository"),
                denies("a request naming only the owner is refused", everything, req("get_file",
                        "myorg"), Denied.Kind.INVALID_REQUEST, "must name a repository"),
                denies("a push that names no branch is refused", everything, req("push_files",
                        "myorg/app").withBranch(null), Denied.Kind.INVALID_REQUEST,
                        "must name the branch"));
    }

    static List<Case> denyRules() {
        List<Grant> write = List.of(grant("myorg/app", Tier.WRITE), grant("other/app",
                Tier.WRITE));
        DenyRule workflows = DenyRule.of("no-workflows", "workflows are changed by humans")
                .forActions(Tool.PUSH_FILES).when(Conditions.NONE.withPaths(
                        ".github/workflows/**"));
        return List.of(
                denies("an explicit deny beats an exact grant", policy(write, DenyRule.of(
                        "freeze", "repository frozen").onRepos("myorg/app")), req(
                                "create_issue", "myorg/app"),
                        Denied.Kind.EXPLICIT_DENY,
                        "repository frozen"),
                denies("a deny on workflow paths refuses pushing a workflow", policy(write,
                        workflows),
                        req("push_files", "myorg/app").withPaths(
                                "src/a.java", ".github/workflows/release.yml"),
                        Denied.Kind.EXPLICIT_DENY, "workflows are changed by humans"),
                allows("a deny on workflow paths leaves other pushes", policy(write, workflows),
                        req("push_files", "myorg/app").withPaths("src/a.java")),
                allows("a deny on paths does not match calls without paths", policy(write,
                        workflows), req("create_branch", "myorg/app")),
                denies("a deny for one agent refuses that agent", policy(write, DenyRule.of(
                        "no-bot", "bot is paused").forAgents("bot")), req("get_file",
                                "myorg/app"),
                        Denied.Kind.EXPLICIT_DENY, "bot is paused"),
                allows("a deny for another agent does not apply", policy(write, DenyRule.of(
                        "no-intern", "intern is paused").forAgents("intern")), req("get_file",
                                "myorg/app")),
                denies("a deny for some actions refuses those", policy(write, DenyRule.of(
                        "no-issues", "no issues here").forActions(Tool.CREATE_ISSUE)),
                        req("create_issue", "myorg/app"), Denied.Kind.EXPLICIT_DENY,
                        "no issues here"),
                allows("a deny for some actions leaves the others", policy(write, DenyRule.of(
                        "no-issues", "no issues here").forActions(Tool.CREATE_ISSUE)),
                        req("get_file", "myorg/app")),
                denies("a deny for an environment refuses there", policy(write, DenyRule.of(
                        "prod-freeze", "prod is frozen").inEnvironments("prod")), req(
                                "create_issue", "myorg/app"),
                        Denied.Kind.EXPLICIT_DENY,
                        "prod is frozen"),
                allows("a deny for an environment leaves the others", policy(write, DenyRule.of(
                        "dev-freeze", "dev is frozen").inEnvironments("dev")), req(
                                "create_issue", "myorg/app")),
                denies("the first matching deny's reason is what the agent reads", policy(write,
                        DenyRule.of("first", "first reason"), DenyRule.of("second",
                                "second reason")),
                        req("get_file", "myorg/app"),
                        Denied.Kind.EXPLICIT_DENY, "first reason"),
                denies("a deny on an org wildcard covers its repositories", policy(write, DenyRule
                        .of("no-myorg", "myorg is off limits").onRepos("myorg/*")), req(
                                "get_file", "myorg/app"),
                        Denied.Kind.EXPLICIT_DENY,
                        "off limits"),
                allows("a deny on an org wildcard leaves other orgs", policy(write, DenyRule.of(
                        "no-myorg", "myorg is off limits").onRepos("myorg/*")), req("get_file",
                                "other/app")),
                denies("a deny on labels refuses an issue with that label", policy(write, DenyRule
                        .of("no-security-label", "security issues are filed by humans").when(
                                Conditions.NONE.withLabels("security"))),
                        req("create_issue",
                                "myorg/app").withLabels("bug", "security"),
                        Denied.Kind.EXPLICIT_DENY, "filed by humans"),
                denies("a deny on paths matches whatever the case", policy(write, workflows), req(
                        "push_files", "myorg/app").withPaths(".GITHUB/workflows/x.yml"),
                        Denied.Kind.EXPLICIT_DENY, "changed by humans"),
                denies("a deny on labels matches whatever the case", policy(write, DenyRule.of(
                        "no-security-label", "security issues are filed by humans").when(
                                Conditions.NONE.withLabels("security"))),
                        req("create_issue",
                                "myorg/app").withLabels("Security"),
                        Denied.Kind.EXPLICIT_DENY, "filed by humans"),
                denies("a deny on a branch pattern matches whatever the case", policy(write,
                        DenyRule.of("no-deps", "dependency branches are bot-owned").when(
                                Conditions.NONE.withBranches("agent-deps-*"))),
                        req(
                                "push_files", "myorg/app").withBranch("agent-DEPS-x"),
                        Denied.Kind.EXPLICIT_DENY, "bot-owned"),
                denies("a deny on a branch pattern refuses pushes there", policy(write, DenyRule
                        .of("no-deps", "dependency branches are bot-owned").when(
                                Conditions.NONE.withBranches("agent-deps-*"))),
                        req(
                                "push_files", "myorg/app").withBranch("agent-deps-x"),
                        Denied.Kind.EXPLICIT_DENY, "bot-owned"),
                denies("a deny without a reason still says what it denied", policy(write, DenyRule
                        .of("quiet", null)), req("get_file", "myorg/app"),
                        Denied.Kind.EXPLICIT_DENY, "denied by rule 'quiet'"),
                denies("a deny narrowed to PR numbers refuses those", policy(write, DenyRule.of(
                        "pr-7-locked", "PR 7 is locked").when(
                                Conditions.NONE.withPullRequests(
                                        7L))),
                        req("create_pull_request_comment", "myorg/app")
                                .withNumber(7),
                        Denied.Kind.EXPLICIT_DENY, "locked"),
                allows("a deny narrowed to PR numbers leaves others", policy(write, DenyRule.of(
                        "pr-7-locked", "PR 7 is locked").when(
                                Conditions.NONE.withPullRequests(
                                        7L))),
                        req("create_pull_request_comment", "myorg/app")));
    }

    static List<Case> tokenNarrowing() {
        Policy write = policy(grant("myorg/*", Tier.WRITE));
        TokenNarrowing readOnlyTools = TokenNarrowing.of(List.of("get_file", "read_repo"), List
                .of());
        TokenNarrowing oneRepo = TokenNarrowing.of(List.of(), List.of("myorg/app"));
        return List.of(
                allows("a token narrowed to tools allows those tools", write, req("get_file",
                        "myorg/app").narrowedTo(readOnlyTools)),
                denies("a token narrowed to tools refuses others the policy grants", write, req(
                        "create_issue", "myorg/app").narrowedTo(readOnlyTools),
                        Denied.Kind.TOKEN_NARROWING, "narrowed to the tools"),
                allows("a token narrowed to a repository allows it", write, req("create_issue",
                        "myorg/app").narrowedTo(oneRepo)),
                denies("a token narrowed to a repository refuses others the policy grants",
                        write, req("create_issue", "myorg/web").narrowedTo(oneRepo),
                        Denied.Kind.TOKEN_NARROWING, "myorg/web is not one of them"),
                allows("a token narrowed to an org wildcard allows its repositories", write, req(
                        "create_issue", "myorg/web").narrowedTo(
                                TokenNarrowing.of(List.of(), List
                                        .of("myorg/*")))),
                denies("a narrowing cannot add what the policy does not grant", policy(grant(
                        "myorg/app", Tier.READ)), req("create_issue", "myorg/app").narrowedTo(
                                TokenNarrowing.of(List.of("create_issue"), List.of("myorg/app"))),
                        Denied.Kind.NO_GRANT, "not create_issue"),
                denies("a narrowing applies in monitor mode too", Policy.of(RuleSet.enforcing(
                        "default", List.of(), List.of()).inMode(Mode.MONITOR)), req(
                                "create_issue", "myorg/app").narrowedTo(readOnlyTools),
                        Denied.Kind.TOKEN_NARROWING, "narrowed"));
    }

    static List<Case> monitorMode() {
        RuleSet base = RuleSet.enforcing("default", List.of(grant("myorg/*", Tier.READ)), List
                .of());
        RuleSet rolloutDeny = RuleSet.enforcing("rollout", List.of(), List.of(DenyRule.of(
                "no-issues", "issues are being phased out").forActions(
                        Tool.CREATE_ISSUE)))
                .inMode(Mode.MONITOR);
        RuleSet newBot = RuleSet.enforcing("new-bot", List.of(grant("myorg/app", Tier.READ)),
                List.of()).forAgents("new-bot").inMode(Mode.MONITOR);
        RuleSet writeAll = RuleSet.enforcing("default", List.of(grant("myorg/*", Tier.WRITE)),
                List.of());
        return List.of(
                monitors("a monitor-mode deny is recorded but allows", Policy.of(writeAll,
                        rolloutDeny), req("create_issue", "myorg/app"), "phased out"),
                allows("a monitor-mode deny that does not match changes nothing", Policy.of(
                        writeAll, rolloutDeny), req("get_file", "myorg/app")),
                monitors("a monitor-mode rule set allows what it would deny by default", Policy
                        .of(base, newBot),
                        DecisionRequest.of("new-bot", "prod", "create_issue",
                                "myorg/app"),
                        "enforce mode would deny"),
                denies("a monitor-mode rule set for another agent changes nothing", Policy.of(base,
                        newBot), req("create_issue", "myorg/app"), Denied.Kind.NO_GRANT,
                        "not create_issue"),
                denies("an enforced deny beats a monitor-mode rule set", Policy.of(RuleSet
                        .enforcing("default", List.of(), List.of(DenyRule.of("stop",
                                "stopped"))),
                        newBot),
                        DecisionRequest.of("new-bot", "prod",
                                "get_file", "myorg/app"),
                        Denied.Kind.EXPLICIT_DENY,
                        "stopped"),
                denies("a monitor-mode rule set in another environment changes nothing", Policy
                        .of(base, newBot.inEnvironments("dev")),
                        DecisionRequest.of("new-bot",
                                "prod", "create_issue", "myorg/app"),
                        Denied.Kind.NO_GRANT,
                        "not create_issue"),
                monitors("a top-level monitor policy allows everything catalogued, recorded",
                        Policy.of(RuleSet.enforcing("default", List.of(), List.of()).inMode(
                                Mode.MONITOR)),
                        req("create_issue", "myorg/app"),
                        "deny by default"),
                allows("a monitor-mode rule set that grants allows as usual", Policy.of(newBot),
                        DecisionRequest.of("new-bot", "prod", "get_file", "myorg/app")),
                allows("an enforced allow is not monitor-only", Policy.of(writeAll), req(
                        "create_issue", "myorg/app")));
    }
}
