/** interproc tools: the {@code interproc} command and its demo. */
module io.interproc.tools {
    requires io.interproc.core;
    requires io.interproc.queue;
    requires io.interproc.sync;
}
