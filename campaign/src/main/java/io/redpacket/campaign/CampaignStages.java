package io.redpacket.campaign;

import io.redpacket.avro.ReconciliationSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the campaign's batch and stream stages run: generation, settlement and reconciliation. {@link LocalStages}
 * runs them as {@code bin/redpacket} processes on this machine (local Spark, a Flink mini cluster, local files);
 * {@link ClusterStages} submits them to a Spark standalone cluster and a Flink session cluster with the data on HDFS.
 * The runner drives both the same way; the online part (broker, edges, crowd, operators) does not change.
 */
interface CampaignStages extends AutoCloseable {

    /** The campaign's inputs as the runner prepared them on this machine; the password file is owner-only. */
    record Inputs(Path budget, Path script, int slots, Path ring, Path passwordFile) {}

    /** Starts what the stages run on (file system, clusters); returns before they are needed if it can. */
    void start() throws IOException;

    /**
     * Generates the campaign; returns the variant directory on this machine that the operators' tools read (plan,
     * manifests, budget; the insider's stolen copy). Failure is an IOException with the log's tail.
     */
    Path generate(Inputs inputs) throws IOException;

    /** The variant directory edge {@code edgeId} dispenses from (its deployed share on a cluster run). */
    Path edgeCampaign(int edgeId);

    /** Starts settlement, from a checkpoint when one is given (the fault drill); returns once submitted. */
    Settlement startSettlement(String kafkaBootstrap, String fromCheckpoint) throws IOException, InterruptedException;

    /** The newest completed checkpoint of settlement, for a restore after a kill (the fault drill). */
    String latestCheckpoint() throws IOException;

    /** Reconciles the campaign; returns the typed summary it published with its warehouse (its log: {@code logs/reconcile.log}). */
    ReconciliationSummary reconcile() throws IOException, io.redpacket.cli.BadInputException;

    /** Summary lines saying where the stages left their data (empty when it is all under the run directory). */
    List<String> outputLines() throws IOException;

    /** Stops every process the stages started; safe to call twice and from a shutdown hook. */
    @Override
    void close();

    /** The running settlement job, whichever way it was started. */
    interface Settlement {
        boolean isAlive();

        /** What to show when it died or does not answer: the end of its log, or the job's exceptions. */
        String diagnostics();

        /**
         * The job's failures since it started, one line each (task and exception), newest first; empty when it never
         * failed. A job that fails and restarts keeps settling, so only this tells that it did.
         */
        List<String> failures();

        /** Stops it cleanly once the campaign is drained. */
        void stop();

        /** Kills it as a crash would (the fault drill). */
        void kill();
    }
}
