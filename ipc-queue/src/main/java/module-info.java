/**
 * interproc's queues: {@link io.interproc.queue.ring.SpscRing} and {@link
 * io.interproc.queue.ring.MpscRing} behind {@link io.interproc.queue.MessageSink} and {@link
 * io.interproc.queue.MessageSource}, {@link io.interproc.queue.mpmc.MpmcQueue}, {@link
 * io.interproc.queue.pipe.Pipe}. Agrona is
 * optional: needed only for {@link io.interproc.queue.ring.AgronaBuffers}.
 */
module io.interproc.queue {
    requires transitive io.interproc.core;
    requires static org.agrona;

    exports io.interproc.queue;
    exports io.interproc.queue.ring;
    exports io.interproc.queue.mpmc;
    exports io.interproc.queue.pipe;
}
