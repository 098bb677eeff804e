package dev.tollgate.executor.core;

/** Configuration is missing or wrong; the message names the key to set. */
public class ConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }
}
