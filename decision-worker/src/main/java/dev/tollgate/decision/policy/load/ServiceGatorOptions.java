package dev.tollgate.decision.policy.load;

import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.PolicyProblem;
import dev.tollgate.runtime.cli.Cli;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * service-gator's command-line policy options, as a picocli mixin: {@code explain} takes them
 * instead of {@code --policy FILE}, {@code run} passes them to its decision worker instead of a
 * policy file, and {@link PolicyLoader#fromCommandLine(List)} parses them with it. The fields only say whether any was given; {@link #given(ParseResult)} gives them in
 * command-line order, which is the order they apply in.
 */
@Command(name = "service-gator options")
public final class ServiceGatorOptions {

    static final Set<String> NAMES = Set.of("--gh-repo", "--scope", "--gitlab-project",
            "--gitlab-host", "--jira-project", "--forgejo-repo", "--forgejo-host");

    @Option(names = "--gh-repo", paramLabel = "OWNER/REPO:PERMISSIONS", description = "service-gator's form instead of a policy file, repeatable,"
            + " e.g. myorg/app:read,push-new-branch")
    List<String> ghRepos = new ArrayList<>();

    @Option(names = "--scope", paramLabel = "JSON", description = "service-gator's JSON scope (or a whole Tollgate policy as JSON)")
    List<String> scopes = new ArrayList<>();

    @Option(names = "--gitlab-project", paramLabel = "GROUP/PROJECT:PERMISSIONS", description = "service-gator's form for a project on the --gitlab-host (default gitlab.com),"
            + " repeatable, e.g. group/sub/project:read,push-new-branch")
    List<String> gitlabProjects = new ArrayList<>();

    @Option(names = "--gitlab-host", paramLabel = "HOST", description = "service-gator's GitLab"
            + " instance for the --gitlab-project options; default gitlab.com")
    List<String> gitlabHosts = new ArrayList<>();

    @Option(names = "--forgejo-host", paramLabel = "HOST", description = "service-gator's"
            + " Forgejo/Gitea host for the --forgejo-repo options, e.g. codeberg.org")
    List<String> forgejoHosts = new ArrayList<>();

    @Option(names = "--jira-project", paramLabel = "KEY:PERMISSIONS", description = "service-gator's form for a project on the executor's JIRA site, repeatable,"
            + " e.g. PROJ:read,create")
    List<String> jiraProjects = new ArrayList<>();

    @Option(names = "--forgejo-repo", paramLabel = "OWNER/REPO:PERMISSIONS", description = "service-gator's form for a repository on the --forgejo-host, repeatable, e.g."
            + " user/project:read,push-new-branch")
    List<String> forgejoRepos = new ArrayList<>();

    /** Whether any service-gator option was given. */
    public boolean any() {
        return !(ghRepos.isEmpty() && scopes.isEmpty() && gitlabProjects.isEmpty() && gitlabHosts
                .isEmpty() && jiraProjects.isEmpty() && forgejoRepos.isEmpty()
                && forgejoHosts
                        .isEmpty());
    }

    /** The service-gator options of a parse, in the order given. */
    public static List<Cli.Given> given(ParseResult result) {
        return Cli.inOrder(result, option -> NAMES.contains(option.longestName()));
    }

    /** Parses service-gator's arguments alone; a wrong one is a problem of the policy. */
    static List<Cli.Given> parse(List<String> arguments) {
        CommandLine commandLine = new CommandLine(new ServiceGatorOptions());
        commandLine.setExpandAtFiles(false);
        try {
            return given(commandLine.parseArgs(arguments.toArray(String[]::new)));
        } catch (ParameterException e) {
            String message = e instanceof CommandLine.UnmatchedArgumentException
                    ? "unknown option; use --gh-repo owner/repo:read,push-new-branch or --scope"
                            + " '<json>'"
                    : e.getMessage();
            String where = e instanceof CommandLine.UnmatchedArgumentException unmatched
                    && !unmatched.getUnmatched().isEmpty()
                            ? unmatched.getUnmatched().get(0)
                            : "";
            throw new InvalidPolicyException("command line", List.of(new PolicyProblem(0, where,
                    message)));
        }
    }
}
