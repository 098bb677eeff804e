package dev.tollgate.runtime;

/** Which role this process (or, in the launcher, this context) plays, and which replica it is. */
public record RoleInfo(String name, String instance) {
}
