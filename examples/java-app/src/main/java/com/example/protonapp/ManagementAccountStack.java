package com.example.protonapp;

import io.github.protonaccountconnections.cdk.EnvironmentAccountConnectionAcceptor;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * The management account's side: the acceptor. Environment stacks add their (account,
 * environment) pair to it with {@code ProtonEnvironmentLink}.
 */
public class ManagementAccountStack extends Stack {
    private final EnvironmentAccountConnectionAcceptor acceptor;

    public ManagementAccountStack(final Construct scope, final String id, final StackProps props) {
        super(scope, id, props);
        this.acceptor = new EnvironmentAccountConnectionAcceptor(this, "Acceptor");
    }

    public EnvironmentAccountConnectionAcceptor getAcceptor() {
        return acceptor;
    }
}
