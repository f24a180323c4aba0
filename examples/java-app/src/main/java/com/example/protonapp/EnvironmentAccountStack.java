package com.example.protonapp;

import io.github.protonaccountconnections.cdk.EnvironmentAccountConnectionAcceptor;
import io.github.protonaccountconnections.cdk.ProtonEnvironmentLink;
import io.github.protonaccountconnections.cdk.ProvisioningPermissions;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * The environment account's side: the scoped Proton service role and the connection request,
 * wired to the management account's acceptor in one statement.
 */
public class EnvironmentAccountStack extends Stack {
    private final ProtonEnvironmentLink link;

    /**
     * @param acceptor        the management account's acceptor that accepts this account's request
     * @param environmentName the management account's Proton environment
     * @param protonRoleName  a name for the Proton role, or {@code null} for one CloudFormation generates
     */
    public EnvironmentAccountStack(final Construct scope, final String id, final StackProps props,
            final EnvironmentAccountConnectionAcceptor acceptor, final String environmentName, final String protonRoleName) {
        super(scope, id, props);
        this.link = ProtonEnvironmentLink.Builder.create(this, "Environment")
                .acceptor(acceptor)
                .environmentName(environmentName)
                .roleName(protonRoleName)
                // What this platform's environment templates create: a VPC, an ECS cluster and their logs.
                .provisioningPermissions(List.of(ProvisioningPermissions.fromServices("ec2", "ecs", "logs")))
                .build();
        CfnOutput.Builder.create(this, "ConnectionId").value(link.getConnection().getConnectionId()).build();
        CfnOutput.Builder.create(this, "ConnectionStatus").value(link.getConnection().getConnectionStatus()).build();
        CfnOutput.Builder.create(this, "ProtonRoleArn").value(link.getRole().getRoleArn()).build();
    }

    public ProtonEnvironmentLink getLink() {
        return link;
    }
}
