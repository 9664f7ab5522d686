/**
 * interproc's core: named shared-memory regions between processes ({@link
 * io.interproc.core.RegionDirectory}, {@link io.interproc.core.Region}), how their users wait
 * ({@link io.interproc.core.WaitStrategy}), who a peer process is and whether it lives ({@link
 * io.interproc.core.ProcessIdentity}), and a launcher for child JVMs ({@link
 * io.interproc.core.ChildJvm}). The internal packages (memory and native access, waiting,
 * launching) are for the library's own modules.
 *
 * <p>Native access: run with {@code --enable-native-access=io.interproc.core}. Agrona is optional
 * ({@code requires static}): needed only for {@code WaitStrategy.polling} and {@code spinning}.
 */
module io.interproc.core {
    requires java.management;
    requires static org.agrona;

    exports io.interproc.core;
    exports io.interproc.core.internal.memory to io.interproc.queue, io.interproc.sync, io.interproc.pool;
    exports io.interproc.core.internal.wait to io.interproc.queue, io.interproc.sync, io.interproc.pool;
}
