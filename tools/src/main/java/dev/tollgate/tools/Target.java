package dev.tollgate.tools;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one tool call acts on, parsed once from its arguments by its tool's definition: the
 * repository, the issue and pull request numbers, the git refs it reads, the branch it writes,
 * the file paths it touches, the labels it sets and, for a pull request, its base and head. The
 * ingress builds it, it travels on {@code ToolCallRequested}, the decision worker decides on it,
 * the executor acts on it and the audit record shows it: every role reads the same target.
 *
 * <p>A read that can reveal what a condition protects without naming it touches all of it: a tree
 * or blob read touches {@linkplain Scope#every every path}, a listing of pull requests every
 * number, a read by commit SHA every ref.
 *
 * @param host the forge ({@code github})
 * @param owner repository owner, lower-cased
 * @param repo repository name, lower-cased
 * @param numbers issue and pull request numbers the call acts on or reveals
 * @param numberKind what kind of numbers they are
 * @param refs git refs (branches, tags, commits) whose content the call reads
 * @param branch the branch the call writes (creates or pushes to), or null
 * @param paths file paths the call reads or writes
 * @param labels labels the call sets
 * @param base the base branch of a pull request the call opens or updates, or null
 * @param head the head of a pull request the call opens or updates, or null
 * @param draft whether a pull request the call opens is a draft, or null when it opens none
 */
public record Target(String host, String owner, String repo, Scope<Long> numbers,
        NumberKind numberKind, Scope<String> refs, String branch, Scope<String> paths,
        List<String> labels, String base, Head head, Boolean draft) {

    /** GitHub's host: the executor's configuration says which GitHub. */
    public static final String GITHUB = "github";

    /** The JIRA site's host: the executor's configuration says which site. */
    public static final String JIRA = "jira";

    /** What the numbers of a call are: issue and pull request numbers share one sequence. */
    public enum NumberKind {
        /** Issue numbers (create_issue). */
        ISSUE,
        /** Pull request numbers. */
        PULL_REQUEST,
        /** Either: GitHub's issue routes also serve pull requests. */
        ISSUE_OR_PULL_REQUEST
    }

    /**
     * The head of a pull request: a branch in this repository, or in another one (a fork).
     *
     * @param owner the head repository's owner, lower-cased
     * @param repo the head repository's name, lower-cased
     * @param branch the head branch
     */
    public record Head(String owner, String repo, String branch) {

        public Head {
            Objects.requireNonNull(branch, "branch");
        }

        /** {@code owner/repo}. */
        public String repository() {
            return owner + "/" + repo;
        }
    }

    public Target {
        host = host == null ? GITHUB : host;
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(numbers, "numbers");
        numberKind = numberKind == null ? NumberKind.ISSUE_OR_PULL_REQUEST : numberKind;
        Objects.requireNonNull(refs, "refs");
        Objects.requireNonNull(paths, "paths");
        labels = labels == null ? List.of() : List.copyOf(labels);
    }

    /** A builder for a call on {@code owner/repo} (both normalized already). */
    public static Builder in(String owner, String repo) {
        return new Builder(owner, repo);
    }

    /** A builder for a call on the JIRA project {@code key} (upper-cased already). */
    public static Builder inJiraProject(String key) {
        return new Builder(key, "").host(JIRA);
    }

    /** {@code owner/repo}; a JIRA project's key. */
    public String repository() {
        return repo.isEmpty() ? owner : owner + "/" + repo;
    }

    /** A builder holding every part of this target, to change some of them. */
    public Builder toBuilder() {
        Builder builder = new Builder(owner, repo).host(host).numbers(numbers, numberKind)
                .refs(refs).writesBranch(branch).paths(paths).labels(labels);
        builder.base = base;
        builder.head = head;
        builder.draft = draft;
        return builder;
    }

    /**
     * Every branch or ref the call names, read or written, with "every" when it can reach any
     * branch without naming it: what a {@code branches} condition speaks about.
     */
    public Scope<String> branches() {
        List<String> names = new ArrayList<>();
        if (branch != null) {
            names.add(branch);
        }
        if (head != null && head.owner().equals(owner) && head.repo().equals(repo)) {
            names.add(head.branch());
        }
        names.addAll(refs.named());
        return new Scope<>(names, refs.every());
    }

    /**
     * What a deny rule's {@code branches} condition speaks about: {@link #branches()} and the
     * base of a pull request the call opens or updates. The base counts as read: GitHub's
     * update-branch merges it into the head, which the agent can then read, so opening a pull
     * request into a branch, or updating one opened into it, is a way to copy it, as
     * {@code create_branch from=} is. A grant's {@code branches} do not include it, so a grant
     * limited to {@code agent-*} still opens and updates pull requests into the default branch.
     */
    public Scope<String> branchesReached() {
        Scope<String> branches = branches();
        if (base == null) {
            return branches;
        }
        List<String> names = new ArrayList<>(branches.named());
        names.add(Builder.branchName(base));
        return new Scope<>(names, branches.every());
    }

    /** The target, one line per part it has, for explain and logs. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        lines.add("repository: " + repository() + (host.equals(GITHUB) ? "" : " on " + host));
        if (!numbers.isNone()) {
            lines.add("numbers: " + numbers + " (" + numberKind.name().toLowerCase(Locale.ROOT)
                    .replace('_', ' ') + ")");
        }
        if (!refs.isNone()) {
            lines.add("refs read: " + refs);
        }
        if (branch != null) {
            lines.add("branch written: " + branch);
        }
        if (!paths.isNone()) {
            lines.add("paths: " + paths);
        }
        if (!labels.isEmpty()) {
            lines.add("labels: " + labels);
        }
        if (base != null || head != null) {
            lines.add("pull request: base " + base + ", head " + (head == null
                    ? null
                    : head.repository().equals(repository())
                            ? head.branch()
                            : head.repository() + ":" + head.branch()));
        }
        if (draft != null) {
            lines.add("draft: " + draft);
        }
        return String.join("\n", lines);
    }

    /** Builds a target; every method returns the builder. */
    public static final class Builder {

        /** A ref that may be an abbreviated or full commit SHA. */
        private static final Pattern MAYBE_SHA = Pattern.compile("[0-9a-fA-F]{4,64}");

        /**
         * Spellings of a branch or tag that git and GitHub resolve to the branch or tag named
         * after them ({@code refs/heads/main}, {@code heads/main}: GitHub's documented form for
         * {@code commits/{ref}}), longest first: the target names the branch itself, so a
         * {@code branches} condition sees it whatever the spelling. A tag is named like a branch,
         * as the short name {@code v1} that may be either already is.
         */
        private static final List<String> BRANCH_AND_TAG_PREFIXES = List.of("refs/heads/",
                "refs/tags/", "heads/", "tags/");

        /**
         * A pull request's refs, wherever they appear in a ref or revision: GitHub's and
         * Forgejo's {@code pull/N/head} and {@code pull/N/merge} (its head and its test merge
         * into its base), GitLab's {@code merge-requests/N/head}, {@code .../merge}, each with
         * or without {@code refs/}, not inside another ref's name ({@code heads/pull/7/head} is a
         * branch; after a range's {@code ..} a ref starts). Group 1 is the number.
         */
        private static final Pattern PULL_REF = Pattern.compile(
                "(?<![A-Za-z0-9_/-])(?:refs/)?(?:pull|merge-requests)/([0-9]{1,18})(?=/)",
                Pattern.CASE_INSENSITIVE);

        /**
         * Namespaces a ref may resolve in before branches (git tries {@code refs/NAME} first),
         * whose refs are not branches by name: any {@code refs/...}, remote-tracking refs,
         * pull and merge request refs, and GitLab's pipeline, environment and keep-around refs
         * (each points at a commit of some branch).
         */
        private static final Pattern ALIAS = Pattern.compile(
                "(?:refs|remotes|pull|merge-requests|pipelines|environments|keep-around)/",
                Pattern.CASE_INSENSITIVE);

        private final String owner;
        private final String repo;
        private String host = GITHUB;
        private Scope<Long> numbers = Scope.none();
        private NumberKind numberKind = NumberKind.ISSUE_OR_PULL_REQUEST;
        private Scope<String> refs = Scope.none();
        private String branch;
        private Scope<String> paths = Scope.none();
        private List<String> labels = List.of();
        private String base;
        private Head head;
        private Boolean draft;

        private Builder(String owner, String repo) {
            this.owner = Objects.requireNonNull(owner, "owner");
            this.repo = Objects.requireNonNull(repo, "repo");
        }

        public Builder host(String forge) {
            this.host = forge;
            return this;
        }

        /** The call acts on or reveals issue or pull request {@code number}. */
        public Builder number(NumberKind kind, long number) {
            this.numberKind = joined(kind);
            this.numbers = numbers.and(number);
            return this;
        }

        /** The call can reveal every issue or pull request (a listing, a search). */
        public Builder everyNumber(NumberKind kind, String why) {
            this.numberKind = joined(kind);
            this.numbers = numbers.andEvery(why);
            return this;
        }

        /**
         * The kind of the numbers once numbers of {@code kind} are added: numbers of two kinds
         * (an issue's, and a pull request's named by its ref) are either, so that a grant checks
         * each against both of its lists rather than one against the other kind's.
         */
        private NumberKind joined(NumberKind kind) {
            return numbers.isNone() || numberKind == kind
                    ? kind
                    : NumberKind.ISSUE_OR_PULL_REQUEST;
        }

        /**
         * The call reads the content of {@code ref} (null: the default branch, nothing to add). A
         * ref that may be a commit SHA, or that uses revision syntax ({@code main~2},
         * {@code main@{1}}, {@code main..x}), can reach any branch's history: it counts as every
         * ref as well; so does one that is not a ref name git accepts ({@code x/}, {@code x y}),
         * which a server may read as another. Spellings of one branch or tag
         * ({@code refs/heads/X}, {@code heads/X}, {@code refs/tags/X}, {@code tags/X}) name
         * {@code X}, once, here, for every role; a pull request's refs ({@code pull/N/head},
         * {@code refs/pull/N/merge}, GitLab's {@code merge-requests/N/head}) name pull request
         * {@code N} and count as every ref, and other namespaces ({@code refs/...},
         * {@code remotes/...}) count as every ref.
         */
        public Builder ref(String given) {
            if (given == null || given.isEmpty()) {
                return this;
            }
            String ref = branchName(given);
            String prefix = given.substring(0, given.length() - ref.length());
            if (!prefix.equals(prefix.toLowerCase(Locale.ROOT))) {
                // another case (HEADS/x): name the literal too, whichever GitHub reads
                refs = refs.and(given);
            }
            Matcher pull = PULL_REF.matcher(given);
            while (pull.find()) {
                // a pull request's head is that pull request's content: a grant narrowed to
                // other numbers does not read it, and a deny rule on its number holds
                number(NumberKind.PULL_REQUEST, Long.parseLong(pull.group(1)));
            }
            boolean alias = false;
            if (ref.equals(given)) {
                pull = PULL_REF.matcher(ref);
                if (pull.lookingAt()) {
                    refs = refs.andEvery("'" + ref + "' is pull request #" + Long.parseLong(pull
                            .group(1)) + "'s head or its test merge into its base, whichever"
                            + " branches those are; name a branch instead");
                    alias = true;
                } else if (ALIAS.matcher(ref).lookingAt()) {
                    refs = refs.andEvery("'" + ref + "' is a ref outside branches and tags,"
                            + " which a branch name cannot vouch for; name a branch instead");
                    alias = true;
                }
            }
            int operator = firstRevisionOperator(ref);
            if (operator >= 0) {
                if (operator > 0 && !alias) {
                    refs = refs.and(ref.substring(0, operator));
                }
                refs = refs.andEvery("'" + ref + "' uses revision syntax, which reaches any"
                        + " commit's history; name a branch instead");
                if (ref.indexOf(':') >= 0) {
                    paths = paths.andEvery("'" + ref + "' names a path inside a revision");
                }
                return this;
            }
            if (alias) {
                return this;
            }
            refs = refs.and(ref);
            if (MAYBE_SHA.matcher(ref).matches()) {
                refs = refs.andEvery("'" + ref + "' may be a commit SHA, which reaches any"
                        + " branch's history; name a branch instead");
            } else if (!isRefName(ref)) {
                refs = refs.andEvery("'" + ref + "' is not a ref name git accepts, which GitHub"
                        + " may resolve as another; name a branch instead");
            }
            return this;
        }

        /** Whether git's check-ref-format accepts {@code ref} as a branch or tag's short name. */
        private static boolean isRefName(String ref) {
            try {
                Names.gitRef("ref", ref);
                return true;
            } catch (InvalidArgumentException e) {
                return false;
            }
        }

        /** Replaces the numbers and their kind. */
        public Builder numbers(Scope<Long> scope, NumberKind kind) {
            this.numbers = scope;
            this.numberKind = kind;
            return this;
        }

        /** Replaces the refs read. */
        public Builder refs(Scope<String> scope) {
            this.refs = scope;
            return this;
        }

        /** Replaces the paths. */
        public Builder paths(Scope<String> scope) {
            this.paths = scope;
            return this;
        }

        /** Replaces the pull request's base. */
        public Builder base(String baseBranch) {
            this.base = baseBranch;
            return this;
        }

        /** Replaces the pull request's head. */
        public Builder head(Head headRef) {
            this.head = headRef;
            return this;
        }

        /** Replaces whether the pull request is a draft. */
        public Builder draft(Boolean isDraft) {
            this.draft = isDraft;
            return this;
        }

        /** The call can read any ref's content without naming it (a blob or commit by SHA). */
        public Builder everyRef(String why) {
            this.refs = refs.andEvery(why);
            return this;
        }

        /** The call writes (creates or pushes to) {@code branch}. */
        public Builder writesBranch(String written) {
            this.branch = written;
            return this;
        }

        /** The call reads or writes {@code path} (null: nothing to add). */
        public Builder path(String path) {
            if (path != null) {
                this.paths = paths.and(path);
            }
            return this;
        }

        public Builder paths(Collection<String> more) {
            more.forEach(this::path);
            return this;
        }

        /** The call can reveal the content of every file without naming its path. */
        public Builder everyPath(String why) {
            this.paths = paths.andEvery(why);
            return this;
        }

        public Builder labels(List<String> set) {
            this.labels = set == null ? List.of() : List.copyOf(set);
            return this;
        }

        /** The call opens a pull request from {@code head} into {@code base}. */
        public Builder pullRequest(String baseBranch, Head headRef, Boolean isDraft) {
            this.base = baseBranch;
            this.head = headRef;
            this.draft = isDraft;
            return this;
        }

        public Target build() {
            return new Target(host, owner, repo, numbers, numberKind, refs, branch, paths,
                    labels, base, head, draft);
        }

        /** {@code ref} without one {@code refs/heads/}, {@code heads/}, ... prefix. */
        static String branchName(String ref) {
            String lower = ref.toLowerCase(Locale.ROOT);
            for (String prefix : BRANCH_AND_TAG_PREFIXES) {
                if (lower.startsWith(prefix) && ref.length() > prefix.length()) {
                    return ref.substring(prefix.length());
                }
            }
            return ref;
        }

        /** Where revision syntax starts: {@code ~ ^ @ : {} or a range's {@code ..}; -1: none. */
        private static int firstRevisionOperator(String ref) {
            for (int i = 0; i < ref.length(); i++) {
                if ("~^@:{".indexOf(ref.charAt(i)) >= 0 || ref.startsWith("..", i)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** The target with {@code owner/repo} of the head, when the head names another repository. */
    public Optional<String> headRepository() {
        return head == null || head.repository().equals(repository())
                ? Optional.empty()
                : Optional.of(head.repository());
    }
}
