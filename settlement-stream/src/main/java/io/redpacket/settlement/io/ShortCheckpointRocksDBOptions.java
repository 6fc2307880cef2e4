package io.redpacket.settlement.io;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * RocksDB options for checkpoints every few hundred milliseconds: each checkpoint flushes every column family's
 * memtable into a level-0 file, and a flush that would bring level 0 to RocksDB's slowdown trigger (20 files) waits
 * until compaction has cleared it, inside the checkpoint's synchronous part. Raising the triggers lets level 0 absorb a
 * burst of small flushes while compaction catches up; reads stay cheap through the bloom filter per file.
 */
public class ShortCheckpointRocksDBOptions implements RocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;

    private static final int SLOWDOWN_TRIGGER = 64;
    private static final int STOP_TRIGGER = 128;

    @Override
    public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
        return current;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
            ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
        return current.setLevel0SlowdownWritesTrigger(SLOWDOWN_TRIGGER).setLevel0StopWritesTrigger(STOP_TRIGGER);
    }
}
