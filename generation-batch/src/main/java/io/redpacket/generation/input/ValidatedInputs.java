package io.redpacket.generation.input;

/** A budget and funding script that passed every check of {@link InputValidator}. */
public record ValidatedInputs(Budget budget, FundingScript script) {}
