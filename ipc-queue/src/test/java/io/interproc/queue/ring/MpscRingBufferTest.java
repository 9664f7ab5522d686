package io.interproc.queue.ring;

class MpscRingBufferTest extends RingBufferContract {
    @Override
    boolean multiProducer() {
        return true;
    }
}
