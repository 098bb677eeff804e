package dev.tollgate.decision.policy.load;

import dev.tollgate.decision.policy.Conditions;
import dev.tollgate.decision.policy.DenyRule;
import dev.tollgate.decision.policy.Grant;
import dev.tollgate.decision.policy.HardBlocks;
import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.Mode;
import dev.tollgate.decision.policy.NamePattern;
import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyProblem;
import dev.tollgate.decision.policy.RepoPattern;
import dev.tollgate.decision.policy.RuleSet;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Names;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Turns a parsed policy tree into a {@link Policy}, strictly: every unknown key, wrong type,
 * unknown permission or hard-blocked grant is a problem naming its line. Reads Tollgate's own
 * form and service-gator's, for GitHub, Forgejo/Gitea, GitLab and JIRA.
 */
final class PolicyReader {

    static final String DEFAULT_RULE_SET = "default";

    private static final Set<String> ROOT_KEYS = Set.of("version", "mode", "protected-branches",
            "gh", "gitlab", "forgejo", "jira", "grant", "deny", "rule-sets", "scopes");
    private static final Set<String> RULE_SET_KEYS = Set.of("mode", "agents", "environments",
            "gh", "gitlab", "forgejo", "jira", "grant", "deny");
    private static final Set<String> GRANT_KEYS = Set.of("name", "forge", "host", "repos",
            "repo", "agents",
            "environments", "allow", "branches", "paths", "exclude-paths", "labels",
            "pull-requests", "issues", "require-fork");
    private static final Set<String> DENY_KEYS = Set.of("name", "forge", "host", "repos",
            "repo", "agents",
            "environments", "actions", "branches", "paths", "labels", "pull-requests", "issues",
            "reason");
    private static final String REQUIRE_FORK = "require-fork";
    /** GitHub's naming rules, plus the wildcards {@code *} and {@code ?}. */
    private static final Pattern REPOSITORY = Pattern.compile(
            "\\*|[A-Za-z0-9*?][A-Za-z0-9*?-]*/[A-Za-z0-9._*?-]+");
    /** GitLab's full project paths (nested groups), plus the wildcards. */
    private static final Pattern GITLAB_REPOSITORY = Pattern.compile(
            "\\*\\*?|[A-Za-z0-9_*?][A-Za-z0-9_.*?-]*(?:/[A-Za-z0-9_*?][A-Za-z0-9_.*?-]*)+");
    /** JIRA project keys, plus the wildcards. */
    private static final Pattern JIRA_PROJECT = Pattern.compile(
            "\\*|[A-Za-z*?][A-Za-z0-9_*?]*");
    /** Forgejo's naming rules (owners may also hold '.' and '_'), plus the wildcards. */
    private static final Pattern FORGEJO_REPOSITORY = Pattern.compile(
            "\\*|[A-Za-z0-9*?][A-Za-z0-9_.*?-]*/[A-Za-z0-9._*?-]+");

    private final ToIntFunction<List<Object>> lines;
    private final List<PolicyProblem> problems = new ArrayList<>();
    private final List<PolicyProblem> warnings = new ArrayList<>();

    PolicyReader(ToIntFunction<List<Object>> lines) {
        this.lines = lines;
    }

    List<PolicyProblem> warnings() {
        return warnings;
    }

    /** Reads the whole tree; throws with every problem found, sorted by line. */
    Policy read(JsonNode root, String source) {
        List<RuleSet> ruleSets = new ArrayList<>();
        List<Glob> protectedBranches = new ArrayList<>();
        if (root == null || !root.isObject()) {
            problem(List.of(), "a policy is a table of keys (TOML), an object (JSON) or a mapping"
                    + " (YAML); start with [gh.repos] or [[grant]]");
        } else {
            JsonNode body = root;
            List<Object> base = List.of();
            if (root.has("scopes")) {
                if (root.size() != 1) {
                    problem(List.of("scopes"), "service-gator's 'scopes' wrapper must be the only"
                            + " top-level key; move the other keys inside it or drop the wrapper");
                }
                body = root.get("scopes");
                base = List.of("scopes");
            }
            if (!body.isObject()) {
                problem(base, "must be a table");
            } else {
                checkKeys(body, base, ROOT_KEYS);
                readVersion(body, base);
                Mode mode = readMode(body.get("mode"), at(base, "mode"));
                protectedBranches.addAll(readProtected(body.get("protected-branches"), at(base,
                        "protected-branches")));
                ruleSets.add(readRuleSet(DEFAULT_RULE_SET, mode, NamePattern.ANY,
                        NamePattern.ANY, body, base));
                JsonNode sets = body.get("rule-sets");
                if (sets != null) {
                    ruleSets.addAll(readRuleSets(sets, at(base, "rule-sets")));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw refused(source, problems);
        }
        try {
            Policy policy = new Policy(ruleSets, protectedBranches);
            for (RuleSet ruleSet : ruleSets) {
                if (ruleSet.mode() == Mode.MONITOR && ruleSet.agents().isAny() && ruleSet
                        .environments().isAny()) {
                    warnings.add(new PolicyProblem(0, ruleSet.name().equals(DEFAULT_RULE_SET)
                            ? "mode"
                            : "rule-sets." + ruleSet.name(),
                            "monitor mode covers every agent in"
                                    + " every environment: requests are recorded, never denied by"
                                    + " default (hard blocks and enforced deny rules still deny)"));
                }
            }
            return policy;
        } catch (InvalidPolicyException e) {
            throw refused(source, e.problems());
        }
    }

    private static InvalidPolicyException refused(String source, List<PolicyProblem> found) {
        List<PolicyProblem> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(PolicyProblem::line));
        return new InvalidPolicyException(source, sorted);
    }

    private void readVersion(JsonNode body, List<Object> base) {
        JsonNode version = body.get("version");
        if (version != null && (!version.isIntegralNumber() || version.longValue() != 1)) {
            problem(at(base, "version"), "this Tollgate reads policy format version 1; remove"
                    + " the key or set version = 1");
        }
    }

    private List<RuleSet> readRuleSets(JsonNode sets, List<Object> path) {
        List<RuleSet> read = new ArrayList<>();
        if (!sets.isObject()) {
            problem(path, "must be a table of named rule sets, e.g. [rule-sets.rollout]");
            return read;
        }
        for (Map.Entry<String, JsonNode> entry : sets.properties()) {
            List<Object> setPath = at(path, entry.getKey());
            JsonNode body = entry.getValue();
            if (entry.getKey().equals(DEFAULT_RULE_SET)) {
                problem(setPath, "'default' is the name of the top-level rules; choose another"
                        + " name");
                continue;
            }
            if (!body.isObject()) {
                problem(setPath, "a rule set must be a table");
                continue;
            }
            checkKeys(body, setPath, RULE_SET_KEYS);
            Mode mode = readMode(body.get("mode"), at(setPath, "mode"));
            NamePattern agents = names(body.get("agents"), at(setPath, "agents"));
            NamePattern environments = names(body.get("environments"), at(setPath,
                    "environments"));
            read.add(readRuleSet(entry.getKey(), mode, agents, environments, body, setPath));
        }
        return read;
    }

    private RuleSet readRuleSet(String name, Mode mode, NamePattern agents,
            NamePattern environments, JsonNode body, List<Object> path) {
        List<Grant> grants = new ArrayList<>();
        List<DenyRule> denies = new ArrayList<>();
        JsonNode gh = body.get("gh");
        if (gh != null) {
            grants.addAll(readGh(gh, at(path, "gh")));
        }
        JsonNode forgejo = body.get("forgejo");
        if (forgejo != null) {
            grants.addAll(readForgeSections(Forge.FORGEJO, forgejo, at(path, "forgejo")));
        }
        JsonNode gitlab = body.get("gitlab");
        if (gitlab != null) {
            grants.addAll(readForgeSections(Forge.GITLAB, gitlab, at(path, "gitlab")));
        }
        JsonNode jira = body.get("jira");
        if (jira != null) {
            grants.addAll(readForgeSections(Forge.JIRA, jira, at(path, "jira")));
        }
        JsonNode grantList = body.get("grant");
        if (grantList != null) {
            forEachTable(grantList, at(path, "grant"), (node, at) -> readGrant(node, at).ifPresent(
                    grants::add));
        }
        JsonNode denyList = body.get("deny");
        if (denyList != null) {
            forEachTable(denyList, at(path, "deny"), (node, at) -> readDeny(node, at).ifPresent(
                    denies::add));
        }
        return new RuleSet(name, mode, agents, environments, grants, denies);
    }

    // ---- service-gator's [gh.repos] ----

    private List<Grant> readGh(JsonNode gh, List<Object> path) {
        List<Grant> grants = new ArrayList<>();
        if (!gh.isObject()) {
            problem(path, "must be a table with a 'repos' table: [gh.repos]");
            return grants;
        }
        checkKeys(gh, path, Set.of("repos"));
        JsonNode repos = gh.get("repos");
        if (repos == null) {
            return grants;
        }
        List<Object> reposPath = at(path, "repos");
        if (!repos.isObject()) {
            problem(reposPath, "must be a table of \"owner/repo\" = { read = true, ... }");
            return grants;
        }
        for (Map.Entry<String, JsonNode> entry : repos.properties()) {
            readRepoEntry(Forge.GITHUB, Target.GITHUB, entry.getKey(), entry.getValue(), at(
                    reposPath, entry.getKey())).ifPresent(grants::add);
        }
        return grants;
    }

    // ---- service-gator's [[forgejo]] and [gitlab] ----

    /**
     * A forge's host sections: {@code [[forgejo]]} / {@code [[gitlab]]} (one per host), or one
     * {@code [forgejo]} / {@code [gitlab]} table, each with its {@code repos} ({@code projects}
     * for GitLab).
     */
    private List<Grant> readForgeSections(Forge forge, JsonNode sections, List<Object> path) {
        List<Grant> grants = new ArrayList<>();
        if (sections.isArray()) {
            for (int i = 0; i < sections.size(); i++) {
                grants.addAll(readForgeHost(forge, sections.get(i), at(path, i)));
            }
        } else {
            grants.addAll(readForgeHost(forge, sections, path));
        }
        return grants;
    }

    private List<Grant> readForgeHost(Forge forge, JsonNode section, List<Object> path) {
        List<Grant> grants = new ArrayList<>();
        String entries = forge == Forge.GITHUB || forge == Forge.FORGEJO ? "repos" : "projects";
        String example = switch (forge) {
            case GITLAB -> "group/project";
            case JIRA -> "PROJ";
            case GITHUB, FORGEJO -> "owner/repo";
        };
        if (!section.isObject() && forge == Forge.JIRA) {
            problem(path, "must be a table with a 'projects' table: [jira.projects]");
            return grants;
        }
        if (!section.isObject()) {
            problem(path, "must be a table: [[" + forge.key() + "]] host = \""
                    + forge.defaultHost().orElse("codeberg.org") + "\" with a [" + forge.key()
                    + "." + entries + "] table");
            return grants;
        }
        checkKeys(section, path, Set.of("host", entries));
        String host = null;
        if (forge.fixedHost().isPresent()) {
            host = forgeHost(section, path, forge);
        } else if (section.get("host") != null) {
            host = host(section.get("host"), at(path, "host"));
        } else if (forge.defaultHost().isPresent()) {
            host = forge.defaultHost().get();
        } else {
            problem(path, "a [[" + forge.key() + "]] section needs host = \"codeberg.org\" (the"
                    + " server's host name)");
        }
        JsonNode repos = section.get(entries);
        if (repos == null) {
            return grants;
        }
        List<Object> reposPath = at(path, entries);
        if (!repos.isObject()) {
            problem(reposPath, "must be a table of \"" + example + "\" = { read = true, ... }");
            return grants;
        }
        for (Map.Entry<String, JsonNode> entry : repos.properties()) {
            readRepoEntry(forge, host, entry.getKey(), entry.getValue(), at(reposPath, entry
                    .getKey())).ifPresent(grants::add);
        }
        return grants;
    }

    /** A forge's host name, checked as tool calls check it; null (a problem) when it is not. */
    private String host(JsonNode node, List<Object> path) {
        String value = text(node, path);
        if (value == null) {
            return null;
        }
        try {
            return Names.host("host", value.trim());
        } catch (InvalidArgumentException e) {
            problem(path, "'" + value + "' is not a host name: write the server's host, e.g."
                    + " codeberg.org or git.example.com:3000 (no scheme, path or user)");
            return null;
        }
    }

    /**
     * One service-gator entry on {@code forge} at {@code host} (null: the host was a problem,
     * reported; the entry is still checked but grants nothing).
     */
    private Optional<Grant> readRepoEntry(Forge forge, String host, String repo, JsonNode entry,
            List<Object> path) {
        Optional<RepoPattern> pattern = repository(forge, host, repo, path);
        if (!entry.isObject()) {
            problem(path, "must be a table of permissions, e.g. { read = true, create-draft ="
                    + " true }");
            return Optional.empty();
        }
        Set<Tier> tiers = EnumSet.noneOf(Tier.class);
        Set<Tool> actions = EnumSet.noneOf(Tool.class);
        boolean requireFork = false;
        for (Map.Entry<String, JsonNode> permission : entry.properties()) {
            String key = permission.getKey();
            List<Object> keyPath = at(path, key);
            if (!permission.getValue().isBoolean()) {
                problem(keyPath, "must be true or false");
                continue;
            }
            boolean on = permission.getValue().booleanValue();
            if (key.equals(REQUIRE_FORK)) {
                requireFork = on;
                continue;
            }
            Optional<Tier> tier = Tier.byKey(key);
            Optional<Tool> action = Tool.byToolName(key);
            if (tier.isPresent() && !forge.tiers().contains(tier.get())) {
                problem(keyPath, otherTier(tier.get(), forge));
            } else if (tier.isPresent()) {
                if (on) {
                    tiers.add(tier.get());
                }
            } else if (action.isPresent() && action.get().forge() != forge) {
                problem(keyPath, otherForge(action.get(), forge));
            } else if (action.isPresent()) {
                if (on) {
                    actions.add(action.get());
                }
            } else {
                problem(keyPath, unknownPermission(key, true));
            }
        }
        if (entry.isEmpty()) {
            tiers.add(Tier.READ);
            warn(path, "an empty entry {} grants read only in Tollgate (service-gator's code also"
                    + " granted create-draft and pending-review); write the permissions you mean,"
                    + " e.g. { read = true }");
        } else if (tiers.isEmpty() && actions.isEmpty()) {
            warn(path, "grants nothing (every permission is false)");
        }
        boolean fork = requireFork;
        return pattern.map(repoPattern -> new Grant(where(path), line(path), List.of(
                repoPattern), NamePattern.ANY, NamePattern.ANY, tiers, actions, Conditions.NONE,
                fork));
    }

    // ---- Tollgate's [[grant]] and [[deny]] ----

    private Optional<Grant> readGrant(JsonNode node, List<Object> path) {
        checkKeys(node, path, GRANT_KEYS);
        Forge forge = forge(node, path).orElse(Forge.GITHUB);
        String host = forgeHost(node, path, forge);
        List<RepoPattern> repos = repositories(node, path, true, forge, host);
        NamePattern agents = names(node.get("agents"), at(path, "agents"));
        NamePattern environments = names(node.get("environments"), at(path, "environments"));
        Set<Tier> tiers = EnumSet.noneOf(Tier.class);
        Set<Tool> actions = EnumSet.noneOf(Tool.class);
        JsonNode allow = node.get("allow");
        if (allow == null) {
            problem(path, "a grant needs 'allow': tiers (read, push-new-branch, create-draft,"
                    + " pending-review, write) and/or tool names");
        } else {
            List<String> names = strings(allow, at(path, "allow"));
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Optional<Tier> tier = Tier.byKey(name);
                Optional<Tool> action = Tool.byToolName(name);
                if (tier.isPresent() && !forge.tiers().contains(tier.get())) {
                    problem(at(at(path, "allow"), i), otherTier(tier.get(), forge));
                } else if (tier.isPresent()) {
                    tiers.add(tier.get());
                } else if (action.isPresent() && action.get().forge() != forge) {
                    problem(at(at(path, "allow"), i), otherForge(action.get(), forge));
                } else if (action.isPresent()) {
                    actions.add(action.get());
                } else {
                    problem(at(at(path, "allow"), i), unknownPermission(name, false));
                }
            }
        }
        Conditions conditions = conditions(node, path, true);
        boolean requireFork = bool(node.get("require-fork"), at(path, "require-fork"));
        String name = node.has("name") ? text(node.get("name"), at(path, "name")) : where(path);
        if (repos.isEmpty() || host == null) {
            return Optional.empty();
        }
        return Optional.of(new Grant(name, line(path), repos, agents, environments, tiers,
                actions, conditions, requireFork));
    }

    private Optional<DenyRule> readDeny(JsonNode node, List<Object> path) {
        checkKeys(node, path, DENY_KEYS);
        Optional<Forge> forge = forge(node, path);
        String host = forge.isEmpty() ? null : forgeHost(node, path, forge.get());
        if (forge.isEmpty() && node.has("host")) {
            problem(at(path, "host"), "a host belongs to a forge: add forge = \"forgejo\" (a"
                    + " deny rule without forge speaks about every forge)");
        }
        List<RepoPattern> repos = repositories(node, path, false, forge.orElse(null), host);
        NamePattern agents = names(node.get("agents"), at(path, "agents"));
        NamePattern environments = names(node.get("environments"), at(path, "environments"));
        Set<Tool> actions = EnumSet.noneOf(Tool.class);
        JsonNode listed = node.get("actions");
        if (listed != null) {
            List<String> names = strings(listed, at(path, "actions"));
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Optional<Tier> tier = Tier.byKey(name);
                Optional<Tool> action = Tool.byToolName(name);
                if (tier.isPresent()) {
                    if (tier.get() == Tier.WRITE) {
                        Arrays.stream(Tool.values()).filter(Tool::isWrite).filter(tool -> forge
                                .isEmpty() || tool.forge() == forge.get()).forEach(actions::add);
                    } else {
                        tier.get().tools().stream().filter(tool -> forge.isEmpty() || tool
                                .forge() == forge.get()).forEach(actions::add);
                    }
                } else if (action.isPresent() && forge.isPresent() && action.get()
                        .forge() != forge.get()) {
                    problem(at(at(path, "actions"), i), otherForge(action.get(), forge.get()));
                } else if (action.isPresent()) {
                    actions.add(action.get());
                } else {
                    Optional<String> blocked = HardBlocks.blockedTool(name);
                    problem(at(at(path, "actions"), i), blocked.isPresent() && !blocked.get()
                            .contains("not a catalogued")
                                    ? blocked.get() + " already; remove it from the deny rule"
                                    : unknownPermission(name, false));
                }
            }
        }
        Conditions conditions = conditions(node, path, false);
        String reason = node.has("reason") ? text(node.get("reason"), at(path, "reason")) : null;
        if (reason == null) {
            warn(path, "a deny rule without 'reason': the agent will read only that it was"
                    + " denied by this rule; add reason = \"...\"");
        }
        String name = node.has("name") ? text(node.get("name"), at(path, "name")) : where(path);
        return Optional.of(new DenyRule(name, line(path), repos, agents, environments, actions,
                conditions, reason));
    }

    /**
     * A rule's conditions. An empty list is no condition to the engine, so on a grant it would
     * lift the restriction its author meant to write (a templated {@code pull-requests = []}):
     * refused there, as {@code agents = []} is. On a deny rule it widens the rule (applies
     * whatever the call names): a warning.
     */
    private Conditions conditions(JsonNode node, List<Object> path, boolean onGrant) {
        for (String key : List.of("branches", "paths", "labels", "pull-requests", "issues")) {
            JsonNode list = node.get(key);
            if (list != null && list.isArray() && list.isEmpty()) {
                if (onGrant) {
                    problem(at(path, key), "an empty list matches nothing, and would mean no"
                            + " restriction; omit the key for no restriction, or list the " + key
                            + " the grant is limited to");
                } else {
                    warn(at(path, key), "an empty list is no condition: this deny rule applies"
                            + " whatever " + key + " a call names; omit the key to say so, or"
                            + " list " + key);
                }
            }
        }
        List<Glob> branches = globs(node.get("branches"), at(path, "branches"));
        List<Glob> paths = globs(node.get("paths"), at(path, "paths"));
        List<Glob> excludePaths = globs(node.get("exclude-paths"), at(path, "exclude-paths"));
        Set<String> labels = new LinkedHashSet<>(node.has("labels")
                ? strings(node.get("labels"), at(path, "labels"))
                : List.of());
        Set<Long> pullRequests = numbers(node.get("pull-requests"), at(path, "pull-requests"));
        Set<Long> issues = numbers(node.get("issues"), at(path, "issues"));
        return new Conditions(branches, paths, excludePaths, labels, pullRequests, issues);
    }

    /** The {@code forge} key: empty when absent (or a problem, reported). */
    private Optional<Forge> forge(JsonNode node, List<Object> path) {
        if (!node.has("forge")) {
            return Optional.empty();
        }
        String key = text(node.get("forge"), at(path, "forge"));
        if (key == null) {
            return Optional.empty();
        }
        Optional<Forge> forge = Forge.byKey(key);
        if (forge.isEmpty()) {
            problem(at(path, "forge"), "'" + key + "' is not a forge Tollgate acts on: github,"
                    + " forgejo, gitlab or jira");
        }
        return forge;
    }

    /**
     * The {@code host} key of a rule on {@code forge}: {@link Target#GITHUB} for GitHub (which
     * takes none: the executor's configuration says which GitHub), required for Forgejo. Null
     * when it is a problem, reported.
     */
    private String forgeHost(JsonNode node, List<Object> path, Forge forge) {
        if (forge == Forge.GITHUB) {
            if (node.has("host")) {
                problem(at(path, "host"), "GitHub takes no host here (the executor's"
                        + " tollgate.github.api-url says which GitHub); remove it, or add"
                        + " forge = \"forgejo\"");
            }
            return Target.GITHUB;
        }
        if (forge == Forge.JIRA) {
            if (node.has("host")) {
                problem(at(path, "host"), "JIRA takes no host here (the executor's"
                        + " tollgate.jira.api-url says which JIRA site); remove it");
            }
            return Target.JIRA;
        }
        if (!node.has("host")) {
            if (forge.defaultHost().isPresent()) {
                return forge.defaultHost().get();
            }
            problem(path, "a " + forge.title() + " rule needs host = \"codeberg.org\" (the"
                    + " server's host name)");
            return null;
        }
        return host(node.get("host"), at(path, "host"));
    }

    private static String otherTier(Tier tier, Forge forge) {
        return "unknown permission '" + tier.key() + "' on " + forge.title() + ": its tiers are "
                + forge.tiers().stream().map(Tier::key).toList() + " (service-gator offers '"
                + tier.key() + "' on " + Arrays.stream(Forge.values()).filter(other -> other
                        .tiers().contains(tier)).map(Forge::title).toList()
                + ")";
    }

    private static String otherForge(Tool action, Forge forge) {
        return "'" + action.toolName() + "' is a " + action.forge().title() + " tool, and this"
                + " rule speaks about " + forge.title() + (forge == Forge.GITHUB
                        ? " (add forge = \"" + action.forge().key() + "\" and its host)"
                        : "; name " + forge.title() + " tools (" + forge.key() + "_...) or"
                                + " tiers");
    }

    /**
     * The repositories of a grant or deny rule on {@code forge} at {@code host}; a null forge
     * (a deny rule without one) speaks about every forge.
     */
    private List<RepoPattern> repositories(JsonNode node, List<Object> path, boolean required,
            Forge forge, String host) {
        List<RepoPattern> repos = new ArrayList<>();
        if (node.has("repo") && node.has("repos")) {
            problem(at(path, "repo"), "write either repo or repos, not both");
        }
        String key = node.has("repo") ? "repo" : "repos";
        JsonNode value = node.get(key);
        if (value == null) {
            if (required) {
                problem(path, "a grant needs 'repos': e.g. repos = [\"myorg/app\", \"myorg/*\"]");
            }
            return repos;
        }
        List<String> names = value.isString()
                ? List.of(value.stringValue())
                : strings(value, at(
                        path, key));
        for (int i = 0; i < names.size(); i++) {
            repository(forge, host, names.get(i), value.isString()
                    ? at(path, key)
                    : at(at(path, key), i)).ifPresent(repos::add);
        }
        return repos;
    }

    /**
     * One repository pattern on {@code forge} (null: every forge) at {@code host}; empty when
     * the name is a problem (reported) or the host was one (already reported).
     */
    private Optional<RepoPattern> repository(Forge forge, String host, String name,
            List<Object> path) {
        if (forge == Forge.GITLAB) {
            if (!GITLAB_REPOSITORY.matcher(name.trim()).matches()) {
                problem(path, "'" + name + "' is not a GitLab project: write its full path,"
                        + " group/project or group/sub/project, group/* (the group's projects),"
                        + " group/** (its subgroups' too) or *");
                return Optional.empty();
            }
            return host == null
                    ? Optional.empty()
                    : Optional.of(RepoPattern.of(forge, host, name));
        }
        if (forge == Forge.JIRA) {
            if (!JIRA_PROJECT.matcher(name.trim()).matches()) {
                problem(path, "'" + name + "' is not a JIRA project: write its key, e.g. PROJ,"
                        + " a pattern such as OPS* or *");
                return Optional.empty();
            }
            return Optional.of(RepoPattern.of(forge, host, name));
        }
        if (forge == Forge.FORGEJO) {
            if (!FORGEJO_REPOSITORY.matcher(name.trim()).matches()) {
                problem(path, "'" + name + "' is not a repository: write owner/repo, owner/* or"
                        + " * (letters, digits, '-', '.' and '_')");
                return Optional.empty();
            }
            return host == null
                    ? Optional.empty()
                    : Optional.of(RepoPattern.of(forge, host, name));
        }
        if (!REPOSITORY.matcher(name.trim()).matches()) {
            problem(path, "'" + name + "' is not a repository: write owner/repo, owner/* or *"
                    + " (letters, digits, '-', and for the repository also '.' and '_')");
            return Optional.empty();
        }
        return Optional.of(forge == null ? RepoPattern.onEveryForge(name) : RepoPattern.of(name));
    }

    // ---- small readers ----

    private Mode readMode(JsonNode node, List<Object> path) {
        if (node == null) {
            return Mode.ENFORCE;
        }
        String value = text(node, path);
        if ("enforce".equals(value)) {
            return Mode.ENFORCE;
        }
        if ("monitor".equals(value)) {
            return Mode.MONITOR;
        }
        if (value != null) {
            problem(path, "mode is \"enforce\" or \"monitor\", not \"" + value + "\"");
        }
        return Mode.ENFORCE;
    }

    private List<Glob> readProtected(JsonNode node, List<Object> path) {
        return globs(node, path);
    }

    private NamePattern names(JsonNode node, List<Object> path) {
        if (node == null) {
            return NamePattern.ANY;
        }
        List<String> names = node.isString() ? List.of(node.stringValue()) : strings(node, path);
        if (names.isEmpty()) {
            problem(path, "an empty list matches nobody; remove the key to mean everyone, or"
                    + " list names");
        }
        return NamePattern.of(names);
    }

    private List<Glob> globs(JsonNode node, List<Object> path) {
        if (node == null) {
            return List.of();
        }
        List<Glob> globs = new ArrayList<>();
        List<String> patterns = strings(node, path);
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).isBlank()) {
                problem(at(path, i), "a pattern must not be empty");
            } else {
                globs.add(Glob.of(patterns.get(i)));
            }
        }
        return globs;
    }

    private Set<Long> numbers(JsonNode node, List<Object> path) {
        Set<Long> numbers = new LinkedHashSet<>();
        if (node == null) {
            return numbers;
        }
        if (!node.isArray()) {
            problem(path, "must be a list of numbers, e.g. [12, 14]");
            return numbers;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isIntegralNumber() || item.longValue() < 1) {
                problem(at(path, i), "must be a pull request or issue number (1 or more)");
            } else {
                numbers.add(item.longValue());
            }
        }
        return numbers;
    }

    private List<String> strings(JsonNode node, List<Object> path) {
        List<String> values = new ArrayList<>();
        if (!node.isArray()) {
            problem(path, "must be a list of strings, e.g. [\"a\", \"b\"]");
            return values;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isString()) {
                problem(at(path, i), "must be a string");
            } else {
                values.add(item.stringValue());
            }
        }
        return values;
    }

    private String text(JsonNode node, List<Object> path) {
        if (!node.isString()) {
            problem(path, "must be a string");
            return null;
        }
        return node.stringValue();
    }

    private boolean bool(JsonNode node, List<Object> path) {
        if (node == null) {
            return false;
        }
        if (!node.isBoolean()) {
            problem(path, "must be true or false");
            return false;
        }
        return node.booleanValue();
    }

    private interface TableVisitor {
        void visit(JsonNode table, List<Object> path);
    }

    private void forEachTable(JsonNode node, List<Object> path, TableVisitor visitor) {
        if (node.isObject()) {
            problem(path, "must be an array of tables: write [[" + path.get(path.size() - 1)
                    + "]] (TOML) or a list (JSON, YAML)");
            return;
        }
        if (!node.isArray()) {
            problem(path, "must be an array of tables");
            return;
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isObject()) {
                problem(at(path, i), "must be a table");
            } else {
                visitor.visit(node.get(i), at(path, i));
            }
        }
    }

    private void checkKeys(JsonNode node, List<Object> path, Set<String> known) {
        for (String key : node.propertyNames()) {
            if (!known.contains(key)) {
                problem(at(path, key), "unknown key '" + key + "'; known keys here: " + known
                        .stream().sorted().collect(Collectors.joining(", ")));
            }
        }
    }

    private static String unknownPermission(String name, boolean table) {
        Optional<String> blocked = HardBlocks.blockedTool(name);
        if (blocked.isPresent() && !blocked.get().contains("not a catalogued")) {
            return blocked.get() + "; no policy can grant it, remove it";
        }
        return "unknown permission '" + name + "': use a tier (" + Arrays.stream(Tier.values())
                .map(Tier::key).collect(Collectors.joining(", "))
                + (table
                        ? ", or require-fork"
                        : "")
                + ") or a catalogued tool (" + HardBlocks.catalogue() + ")";
    }

    // ---- where things are ----

    private void problem(List<Object> path, String message) {
        problems.add(new PolicyProblem(line(path), where(path), message));
    }

    private void warn(List<Object> path, String message) {
        warnings.add(new PolicyProblem(line(path), where(path), message));
    }

    private int line(List<Object> path) {
        return lines.applyAsInt(path);
    }

    static List<Object> at(List<Object> path, Object segment) {
        List<Object> longer = new ArrayList<>(path);
        longer.add(segment);
        return List.copyOf(longer);
    }

    /** {@code gh.repos."myorg/app".read}, {@code grant[2].allow} (array positions from 1). */
    static String where(List<Object> path) {
        StringBuilder out = new StringBuilder();
        for (Object segment : path) {
            if (segment instanceof Integer index) {
                out.append('[').append(index + 1).append(']');
            } else {
                String key = segment.toString();
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"");
            }
        }
        return out.toString();
    }
}
