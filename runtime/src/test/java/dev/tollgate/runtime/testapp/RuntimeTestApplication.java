package dev.tollgate.runtime.testapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A role with nothing of its own, to test what the runtime gives every role. */
@SpringBootApplication
public class RuntimeTestApplication {
}
