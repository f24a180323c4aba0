#!/usr/bin/env python3
"""The two-account example in Python: the same stacks, context keys and defaults as
examples/two-account-app (TypeScript), built with the cdk-proton-account-connections wheel.

From the repository root, after `npx projen packages` (the wheel in dist/python):

    python3 -m venv /tmp/proton-app-venv
    /tmp/proton-app-venv/bin/pip install dist/python/*.whl -r examples/python-app/requirements.txt
    PATH=/tmp/proton-app-venv/bin:$PATH npx cdk synth --app "python3 examples/python-app/app.py" \\
        -c environmentAccount=222222222222 -c managementAccount=111111111111 -c region=us-east-1 -c environmentName=dev
    PATH=/tmp/proton-app-venv/bin:$PATH cdk-proton-local handshake --app cdk.out

The defaults are placeholders: they synthesize anywhere and deploy nowhere real.
"""
from dataclasses import dataclass
from typing import Any, Optional

import aws_cdk as cdk
from constructs import Construct

from cdk_proton_account_connections import (
    EnvironmentAccountConnectionAcceptor,
    ProtonEnvironmentLink,
    ProvisioningPermissions,
)

PLACEHOLDERS = {
    "environmentAccount": "222222222222",
    "managementAccount": "111111111111",
    "region": "us-east-1",
    "environmentName": "dev",
}


@dataclass(frozen=True)
class TwoAccountContext:
    """The example's accounts, Regions and environment, from CDK context (`-c key=value`)."""

    environment_account: str
    management_account: str
    environment_region: str
    management_region: str
    environment_name: str
    proton_role_name: Optional[str]


def _context_string(app: cdk.App, key: str) -> Optional[str]:
    value: Any = app.node.try_get_context(key)
    return None if value is None or value == "" else str(value)


def read_two_account_context(app: cdk.App) -> TwoAccountContext:
    """Reads the context keys of the TypeScript example, with the same defaults."""
    region = _context_string(app, "region") or PLACEHOLDERS["region"]
    return TwoAccountContext(
        environment_account=_context_string(app, "environmentAccount") or PLACEHOLDERS["environmentAccount"],
        management_account=_context_string(app, "managementAccount") or PLACEHOLDERS["managementAccount"],
        environment_region=_context_string(app, "environmentRegion") or region,
        management_region=_context_string(app, "managementRegion") or region,
        environment_name=_context_string(app, "environmentName") or PLACEHOLDERS["environmentName"],
        proton_role_name=_context_string(app, "protonRoleName"),
    )


class ManagementAccountStack(cdk.Stack):
    """The management account's side: the acceptor. Environment stacks add their pair to it."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.acceptor = EnvironmentAccountConnectionAcceptor(self, "Acceptor")


class EnvironmentAccountStack(cdk.Stack):
    """The environment account's side: the scoped Proton role and the connection request."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        acceptor: EnvironmentAccountConnectionAcceptor,
        environment_name: str,
        proton_role_name: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.link = ProtonEnvironmentLink(
            self,
            "Environment",
            acceptor=acceptor,
            environment_name=environment_name,
            role_name=proton_role_name,
            # What this platform's environment templates create: a VPC, an ECS cluster and their logs.
            provisioning_permissions=[ProvisioningPermissions.from_services("ec2", "ecs", "logs")],
        )
        cdk.CfnOutput(self, "ConnectionId", value=self.link.connection.connection_id)
        cdk.CfnOutput(self, "ConnectionStatus", value=self.link.connection.connection_status)
        cdk.CfnOutput(self, "ProtonRoleArn", value=self.link.role.role_arn)


def build_two_account_app(app: cdk.App) -> None:
    """Adds the example's two stacks to `app`, configured from its context."""
    context = read_two_account_context(app)
    management_stack = ManagementAccountStack(
        app,
        "ManagementAccountStack",
        env=cdk.Environment(account=context.management_account, region=context.management_region),
        description=(
            f"AWS Proton management account {context.management_account}: accepts environment "
            f'"{context.environment_name}" from account {context.environment_account}'
        ),
    )
    environment_stack = EnvironmentAccountStack(
        app,
        "EnvironmentAccountStack",
        env=cdk.Environment(account=context.environment_account, region=context.environment_region),
        acceptor=management_stack.acceptor,
        environment_name=context.environment_name,
        proton_role_name=context.proton_role_name,
        description=(
            f"AWS Proton environment account {context.environment_account}: role and connection request for "
            f'environment "{context.environment_name}" of management account {context.management_account}'
        ),
    )
    # The management side uses the accepted connection's id to create the Proton environment.
    cdk.CfnOutput(management_stack, "AcceptedConnectionId", value=environment_stack.link.accepted_connection_id)


if __name__ == "__main__":
    application = cdk.App()
    build_two_account_app(application)
    application.synth()
