package io.interproc.core.internal.launch;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.ProcessIdentity;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of a JVM launched by {@link ChildJvm}: {@code ChildMain <parent pid:start | -> <class> [args...]}.
 * Starts the parent watch, then runs the class's {@code main} or the {@link JvmTask}.
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ChildMain <parentPid:parentStartTime | -> <main or task class> [args...]");
            System.exit(2);
        }
        if (!args[0].equals("-")) {
            String[] parent = args[0].split(":");
            watchParent(new ProcessIdentity(Long.parseLong(parent[0]), Long.parseLong(parent[1])));
        }
        Class<?> target = Class.forName(args[1], true, ChildMain.class.getClassLoader());
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        if (JvmTask.class.isAssignableFrom(target)) {
            try {
                JvmTask task = (JvmTask) target.getConstructor().newInstance();
                task.run(rest);
            } catch (Throwable t) {
                t.printStackTrace();
                System.exit(1);
            }
            System.exit(0);
        }
        Method main = target.getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) rest);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watchParent(ProcessIdentity parent) {
        long periodMillis = ChildJvm.PARENT_WATCH_PERIOD.toMillis();
        Thread.ofPlatform().daemon().name("interproc-parent-watch").start(() -> {
            while (parent.isAlive()) {
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
            // Shutdown hooks get a moment; a hook that hangs must not keep an orphan alive.
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(ChildJvm.PARENT_DIED_EXIT_CODE);
            });
            System.exit(ChildJvm.PARENT_DIED_EXIT_CODE);
        });
    }
}
