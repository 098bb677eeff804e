package dev.tollgate.decision.policy.load;

import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyProblem;
import dev.tollgate.runtime.cli.Cli;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.toml.TomlMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Loads a policy from one file (TOML, JSON or YAML, by extension) or from service-gator's command
 * line forms. Either the whole policy is valid and a {@link LoadedPolicy} comes back, or an
 * {@link InvalidPolicyException} lists every problem with its line.
 */
public final class PolicyLoader {

    /** Policy files larger than this are refused (a policy is a page of rules, not data). */
    public static final long MAX_BYTES = 1024 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder().enable(
            StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper YAML = YAMLMapper.builder().enable(
            StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper TOML = TomlMapper.builder().build();

    private PolicyLoader() {
    }

    public static LoadedPolicy load(Path file) {
        String source = file.toString();
        PolicyFormat format = PolicyFormat.of(file).orElseThrow(() -> new InvalidPolicyException(
                source, List.of(new PolicyProblem(0, "", "a policy file ends in .toml, .json,"
                        + " .yaml or .yml; rename it"))));
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new InvalidPolicyException(source, List.of(new PolicyProblem(0, "",
                        "the file is larger than " + MAX_BYTES + " bytes")));
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files
                    .readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new InvalidPolicyException(source, List.of(new PolicyProblem(0, "",
                    "no such file; set tollgate.policy.file to an existing policy file")));
        } catch (CharacterCodingException e) {
            throw new InvalidPolicyException(source, List.of(new PolicyProblem(0, "",
                    "the file is not UTF-8 text")));
        } catch (IOException e) {
            throw new InvalidPolicyException(source, List.of(new PolicyProblem(0, "",
                    "cannot read it: " + e.getMessage())));
        }
        return parse(text, format, source);
    }

    /** Parses policy text in a given format; {@code source} names it in messages. */
    public static LoadedPolicy parse(String text, PolicyFormat format, String source) {
        String parsable = format == PolicyFormat.TOML ? TomlText.toToml10(text) : text;
        ObjectMapper mapper = switch (format) {
            case TOML -> TOML;
            case JSON -> JSON;
            case YAML -> YAML;
        };
        JsonNode root;
        try {
            root = mapper.readTree(parsable);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
            String message = e.getOriginalMessage() == null
                    ? e.getMessage()
                    : e
                            .getOriginalMessage();
            throw new InvalidPolicyException(source, List.of(new PolicyProblem(line, "",
                    format.name() + " syntax: " + firstLine(message))));
        }
        Map<String, Integer> lines = format == PolicyFormat.TOML
                ? TomlText.locations(text)
                : locations(mapper, text);
        PolicyReader reader = new PolicyReader(path -> lineOf(lines, path));
        Policy policy = reader.read(root, source);
        return new LoadedPolicy(source, policy, reader.warnings());
    }

    /**
     * service-gator's command-line forms: {@code --gh-repo owner/repo:read,push-new-branch}
     * (repeatable), {@code --scope '<json>'} (its JSON scope, or a whole Tollgate policy), and
     * {@code --forgejo-host HOST} with {@code --forgejo-repo owner/repo:read,...} and
     * {@code --gitlab-host HOST} (default gitlab.com) with
     * {@code --gitlab-project group/project:read,...} (one host each on a command line; a policy
     * file takes several), and {@code --jira-project KEY:read,create} for the JIRA site.
     * Both {@code --flag value} and {@code --flag=value} work (parsed by
     * {@link ServiceGatorOptions}).
     */
    public static LoadedPolicy fromCommandLine(List<String> arguments) {
        return fromServiceGatorOptions(ServiceGatorOptions.parse(arguments));
    }

    /**
     * service-gator's options as a command parsed them ({@link ServiceGatorOptions#given}), in
     * the order given: later options add to (and for the same key replace) earlier ones.
     */
    public static LoadedPolicy fromServiceGatorOptions(List<Cli.Given> options) {
        String source = "command line";
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        List<PolicyProblem> problems = new ArrayList<>();
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < options.size(); i++) {
            String flag = options.get(i).option();
            String value = options.get(i).value();
            int position = i + 1;
            if (value == null) {
                problems.add(new PolicyProblem(0, flag, "needs a value"));
                continue;
            }
            switch (flag) {
                case "--gh-repo" -> cliRepo(root.withObject("gh").withObject("repos"), value,
                        "/gh/repos", positions, position, problems, flag);
                case "--gitlab-project" -> cliRepo(root.withObject("gitlab").withObject(
                        "projects"), value, "/gitlab/projects", positions, position, problems,
                        flag);
                case "--jira-project" -> cliRepo(root.withObject("jira").withObject("projects"),
                        value, "/jira/projects", positions, position, problems, flag);
                case "--forgejo-repo" -> cliRepo(root.withObject("forgejo").withObject("repos"),
                        value, "/forgejo/repos", positions, position, problems, flag);
                case "--gitlab-host" -> host(root.withObject("gitlab"), value, "/gitlab",
                        positions, position, problems, flag);
                case "--forgejo-host" -> host(root.withObject("forgejo"), value, "/forgejo",
                        positions, position, problems, flag);
                case "--scope" -> {
                    try {
                        JsonNode scope = JSON.readTree(value);
                        if (scope.isObject() && scope.has("scopes") && scope.size() == 1) {
                            scope = scope.get("scopes");
                        }
                        if (!scope.isObject()) {
                            problems.add(new PolicyProblem(0, flag, "must be a JSON object such"
                                    + " as {\"gh\":{\"repos\":{\"o/r\":{\"read\":true}}}}"));
                        } else {
                            merge(root, (ObjectNode) scope);
                        }
                    } catch (JacksonException e) {
                        problems.add(new PolicyProblem(0, flag, "is not valid JSON: " + firstLine(e
                                .getOriginalMessage())));
                    }
                }
                default -> problems.add(new PolicyProblem(0, flag, "unknown option; use"
                        + " --gh-repo owner/repo:read,push-new-branch or --scope '<json>'"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(source, problems);
        }
        PolicyReader reader = new PolicyReader(path -> lineOf(positions, path));
        Policy policy = reader.read(root, source);
        List<PolicyProblem> warnings = reader.warnings().stream().map(warning -> new PolicyProblem(
                0, warning.line() > 0
                        ? "argument " + warning.line() + " " + warning.where()
                        : warning.where(),
                warning.message())).toList();
        return new LoadedPolicy(source, policy, warnings);
    }

    private static void cliRepo(ObjectNode repos, String value, String pointer,
            Map<String, Integer> positions, int position, List<PolicyProblem> problems,
            String flag) {
        int colon = value.lastIndexOf(':');
        String repo = colon < 0 ? value : value.substring(0, colon);
        ObjectNode entry = repos.has(repo) ? (ObjectNode) repos.get(repo) : repos.putObject(repo);
        if (colon < 0 || value.substring(colon + 1).isBlank()) {
            problems.add(new PolicyProblem(0, flag + " " + value, "name the permissions after a"
                    + " colon, e.g. " + repo + ":read or " + repo + ":read,push-new-branch"));
            return;
        }
        for (String permission : value.substring(colon + 1).split(",")) {
            entry.put(permission.trim(), true);
        }
        positions.putIfAbsent(pointer + "/" + repo.replace("~", "~0").replace("/", "~1"),
                position);
    }

    /** A forge's host ({@code --gitlab-host}, {@code --forgejo-host}): its section's host. */
    private static void host(ObjectNode section, String value, String pointer,
            Map<String, Integer> positions, int position, List<PolicyProblem> problems,
            String flag) {
        if (section.has("host") && !section.get("host").asString().equalsIgnoreCase(value)) {
            problems.add(new PolicyProblem(0, flag + " " + value, "a command line takes one "
                    + flag + " (" + section.get("host").asString() + " is given already); write"
                    + " a policy file with one [[forgejo]] section per host"));
            return;
        }
        section.put("host", value);
        positions.putIfAbsent(pointer, position);
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        for (Map.Entry<String, JsonNode> entry : from.properties()) {
            JsonNode existing = into.get(entry.getKey());
            if (existing instanceof ObjectNode target
                    && entry.getValue() instanceof ObjectNode source) {
                merge(target, source);
            } else {
                into.set(entry.getKey(), entry.getValue());
            }
        }
    }

    /** Lines of every key and array element of a JSON or YAML document, by JSON Pointer. */
    private static Map<String, Integer> locations(ObjectMapper mapper, String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = mapper.createParser(text)) {
            while (parser.nextToken() != null) {
                String pointer = parser.streamReadContext().pathAsPointer().toString();
                lines.putIfAbsent(pointer, parser.currentTokenLocation().getLineNr());
            }
        } catch (JacksonException e) {
            // already parsed once; a second failure only costs line numbers
        }
        return lines;
    }

    private static int lineOf(Map<String, Integer> lines, List<Object> path) {
        for (int length = path.size(); length >= 0; length--) {
            Integer line = lines.get(TomlText.pointer(path.subList(0, length)));
            if (line != null && line > 0) {
                return line;
            }
        }
        return 0;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
