/**
 * interproc core: named shared regions over memory-mapped files, memory-order access,
 * futex waiting, process identity and child JVMs.
 */
module io.interproc.core {
    requires transitive org.agrona;
    requires java.management;

    exports io.interproc.core;
}
