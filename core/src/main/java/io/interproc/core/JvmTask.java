package io.interproc.core;

/**
 * Work run in a child JVM by {@link ChildJvm}: a public class with a public no-argument
 * constructor. The child exits with status 0 when {@link #run} returns, and 1 (stack trace on
 * standard error) when it throws.
 */
@FunctionalInterface
public interface JvmTask {
    /** @param args the arguments given to the launcher */
    void run(String[] args) throws Exception;
}
