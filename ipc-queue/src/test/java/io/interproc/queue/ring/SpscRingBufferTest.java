package io.interproc.queue.ring;

class SpscRingBufferTest extends RingBufferContract {
    @Override
    boolean multiProducer() {
        return false;
    }
}
