package dev.tollgate.decision.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the policy decides on: who asks (agent, environment), for which tool, on which resource,
 * with the arguments the conditions speak about. Built from a tool call's normalized arguments by
 * {@link #fromArguments}.
 *
 * @param agent the agent ID
 * @param environment the agent's environment
 * @param tool the tool name as the agent called it
 * @param host the forge: {@code github} (others are not supported yet)
 * @param owner repository owner, lower-cased
 * @param repo repository name, lower-cased; null for owner-level calls
 * @param number the pull request or issue number the call acts on, if any
 * @param branch the branch written (create_branch, push_files) or the head of a pull request
 * @param baseBranch the base of a pull request, if any
 * @param paths file paths the call touches or reads
 * @param labels labels the call sets
 * @param draft for create_pr: whether it is a draft (null: not said, which means draft)
 * @param narrowing the narrowing carried by the agent's gateway token ({@link TokenNarrowing#NONE}
 *        when it has none)
 */
public record DecisionRequest(String agent, String environment, String tool, String host,
        String owner, String repo, Long number, String branch, String baseBranch,
        List<String> paths, List<String> labels, Boolean draft, TokenNarrowing narrowing) {

    /** A request whose token carries no narrowing. */
    public DecisionRequest(String agent, String environment, String tool, String host,
            String owner, String repo, Long number, String branch, String baseBranch,
            List<String> paths, List<String> labels, Boolean draft) {
        this(agent, environment, tool, host, owner, repo, number, branch, baseBranch, paths,
                labels, draft, TokenNarrowing.NONE);
    }

    public DecisionRequest {
        host = host == null || host.isBlank() ? "github" : host.toLowerCase(Locale.ROOT);
        owner = lower(owner);
        repo = lower(repo);
        branch = HardBlocks.normalizeBranch(branch);
        baseBranch = HardBlocks.normalizeBranch(baseBranch);
        paths = paths == null ? List.of() : List.copyOf(paths);
        labels = labels == null ? List.of() : List.copyOf(labels);
        narrowing = narrowing == null ? TokenNarrowing.NONE : narrowing;
    }

    /** A request for a tool on {@code owner/repo}, to be refined with the {@code with} methods. */
    public static DecisionRequest of(String agent, String environment, String tool,
            String repository) {
        String owner = null;
        String repo = null;
        if (repository != null) {
            int slash = repository.indexOf('/');
            owner = slash < 0 ? repository : repository.substring(0, slash);
            repo = slash < 0 ? null : repository.substring(slash + 1);
        }
        return new DecisionRequest(agent, environment, tool, "github", owner, repo, null, null,
                null, List.of(), List.of(), null);
    }

    /**
     * Reads the arguments conditions speak about from a tool call's arguments: {@code owner},
     * {@code repo} (or {@code repository: owner/repo}), {@code pull_number} / {@code issue_number}
     * / {@code number}, {@code branch} (or {@code head}, or {@code ref}), {@code base},
     * {@code path} (not for github_api_get, whose path is a REST path), {@code paths},
     * {@code files[].path}, {@code comments[].path}, {@code labels}, {@code draft}, {@code host}.
     */
    public static DecisionRequest fromArguments(String agent, String environment, String tool,
            Map<String, ?> arguments) {
        String owner = text(arguments.get("owner"));
        String repo = text(arguments.get("repo"));
        String repository = text(arguments.get("repository"));
        if ((owner == null || repo == null) && repository != null && repository.contains("/")) {
            owner = repository.substring(0, repository.indexOf('/'));
            repo = repository.substring(repository.indexOf('/') + 1);
        }
        Long number = firstNumber(arguments, "pull_number", "issue_number", "number");
        String branch = firstText(arguments, "branch", "head", "ref");
        List<String> paths = new ArrayList<>();
        if (!"github_api_get".equals(tool)) { // its path is a REST path, not a file
            addText(paths, arguments.get("path"));
        }
        if (arguments.get("paths") instanceof Collection<?> listed) {
            listed.forEach(item -> addText(paths, item));
        }
        if (arguments.get("files") instanceof Collection<?> files) {
            for (Object file : files) {
                if (file instanceof Map<?, ?> entry) {
                    addText(paths, entry.get("path"));
                } else {
                    addText(paths, file);
                }
            }
        }
        if (arguments.get("comments") instanceof Collection<?> comments) {
            for (Object comment : comments) {
                if (comment instanceof Map<?, ?> entry) {
                    addText(paths, entry.get("path"));
                }
            }
        }
        List<String> labels = new ArrayList<>();
        if (arguments.get("labels") instanceof Collection<?> listed) {
            listed.forEach(item -> addText(labels, item));
        }
        Object draft = arguments.get("draft");
        Boolean isDraft = draft instanceof Boolean flag
                ? flag
                : draft instanceof String flag ? Boolean.valueOf(flag) : null;
        return new DecisionRequest(agent, environment, tool, text(arguments.get("host")), owner,
                repo, number, branch, text(arguments.get("base")), paths, labels, isDraft);
    }

    public DecisionRequest withNumber(long newNumber) {
        return new DecisionRequest(agent, environment, tool, host, owner, repo, newNumber, branch,
                baseBranch, paths, labels, draft, narrowing);
    }

    public DecisionRequest withBranch(String newBranch) {
        return new DecisionRequest(agent, environment, tool, host, owner, repo, number, newBranch,
                baseBranch, paths, labels, draft, narrowing);
    }

    public DecisionRequest withBase(String newBase) {
        return new DecisionRequest(agent, environment, tool, host, owner, repo, number, branch,
                newBase, paths, labels, draft, narrowing);
    }

    public DecisionRequest withPaths(String... newPaths) {
        return new DecisionRequest(agent, environment, tool, host, owner, repo, number, branch,
                baseBranch, List.of(newPaths), labels, draft, narrowing);
    }

    public DecisionRequest withLabels(String... newLabels) {
        return new DecisionRequest(agent, environment, tool, host, owner, repo, number, branch,
                baseBranch, paths, List.of(newLabels), draft, narrowing);
    }

    public DecisionRequest withDraft(Boolean isDraft) {
        return new DecisionRequest(agent, environment, tool, host, owner, repo, number, branch,
                baseBranch, paths, labels, isDraft, narrowing);
    }

    public DecisionRequest narrowedTo(TokenNarrowing newNarrowing) {
        return new DecisionRequest(agent, environment, tool, host, owner, repo, number, branch,
                baseBranch, paths, labels, draft, newNarrowing);
    }

    public DecisionRequest onHost(String newHost) {
        return new DecisionRequest(agent, environment, tool, newHost, owner, repo, number, branch,
                baseBranch, paths, labels, draft, narrowing);
    }

    /** {@code owner/repo}, or the owner alone for owner-level calls. */
    public String repository() {
        return repo == null ? String.valueOf(owner) : owner + "/" + repo;
    }

    private static String lower(String value) {
        return value == null || value.isBlank() ? null : value.trim().toLowerCase(Locale.ROOT);
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        return text.isBlank() ? null : text;
    }

    private static void addText(List<String> into, Object value) {
        String text = text(value);
        if (text != null) {
            into.add(text);
        }
    }

    private static String firstText(Map<String, ?> arguments, String... keys) {
        for (String key : keys) {
            String value = text(arguments.get(key));
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Long firstNumber(Map<String, ?> arguments, String... keys) {
        for (String key : keys) {
            Object value = arguments.get(key);
            if (value instanceof Number number) {
                return number.longValue();
            }
            if (value instanceof String text && text.matches("\\d{1,18}")) {
                return Long.valueOf(text);
            }
        }
        return null;
    }
}
