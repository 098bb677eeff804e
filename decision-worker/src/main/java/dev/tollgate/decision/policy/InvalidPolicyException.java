package dev.tollgate.decision.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy was refused; every problem names its line and the fix. Nothing was changed. */
public class InvalidPolicyException extends RuntimeException {

    private final transient List<PolicyProblem> problems;

    public InvalidPolicyException(String source, List<PolicyProblem> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    public List<PolicyProblem> problems() {
        return problems;
    }

    private static String format(String source, List<PolicyProblem> problems) {
        String prefix = source == null ? "" : source + ":";
        if (problems.size() == 1) {
            PolicyProblem only = problems.get(0);
            return "policy refused: " + prefix + (only.line() > 0 ? only.line() + ": " : " ")
                    + (only.where() == null || only.where().isEmpty() ? "" : only.where() + ": ")
                    + only.message();
        }
        return "policy refused, " + problems.size() + " problems:\n" + problems.stream()
                .map(problem -> "  " + prefix + (problem.line() > 0 ? problem.line() + ": " : " ")
                        + (problem.where() == null || problem.where().isEmpty()
                                ? ""
                                : problem.where() + ": ")
                        + problem.message())
                .collect(Collectors.joining("\n"));
    }
}
