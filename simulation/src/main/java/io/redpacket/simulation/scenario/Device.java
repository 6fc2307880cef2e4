package io.redpacket.simulation.scenario;

/** A device an account plays from: the id it sends and the User-Agent its client sends. */
public record Device(String id, String userAgent) {}
