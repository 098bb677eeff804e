package dev.tollgate.ingress.core.tools;

/**
 * The GitHub resource a call targets, normalized (lower-cased owner and repository). Mirrors the
 * {@code Resource} event record without depending on it.
 */
public record ResourceRef(String owner, String repo, Long number, String path, String ref) {
}
