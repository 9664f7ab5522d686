package io.interproc.core;

/**
 * Thrown to a caller waiting on a peer process that has died: the wait can never succeed.
 */
public class PeerDiedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient ProcessIdentity peer;

    /**
     * @param peer    the process that died
     * @param message what the caller was waiting for
     */
    public PeerDiedException(ProcessIdentity peer, String message) {
        super(message + " (peer process " + peer.pid() + " has died)");
        this.peer = peer;
    }

    /** {@return the dead process} */
    public ProcessIdentity peer() {
        return peer;
    }
}
