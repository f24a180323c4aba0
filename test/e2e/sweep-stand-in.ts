import { LocalDeployer } from '../../local/deployer';
import { LocalProton } from '../../local/proton-endpoint';
import { SweepRequest } from '../../src/acceptor/acceptor-contract';
import { mergeEntries } from '../../src/acceptor/allow-list';
import { sweep } from '../../src/acceptor/handler/continuous-sweep';
import { MANAGEMENT_ACCOUNT, protonClientFor } from '../support/local-proton';

/**
 * Stands in for the event rule of a deployed acceptor's continuous acceptance until the local
 * deployer runs EventBridge rules: when a request to the management account is PENDING, it runs
 * the sweep with the input of the stack's deployed event rule and the allow-list stored in its
 * deployed SSM parameters.
 */
export function sweepStandIn(endpoint: LocalProton, deployer: () => LocalDeployer, stackName: string) {
  const accepted: string[] = [];
  const proton = protonClientFor(endpoint, MANAGEMENT_ACCOUNT);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const stack = deployer().stackState(stackName);
    const pending = endpoint.admin.dump().connections.some((c) => c.managementAccountId === MANAGEMENT_ACCOUNT && c.status === 'PENDING');
    if (!stack || !pending) return;
    const resources = Object.values(stack.resources);
    const rule = resources.find((r) => r.type === 'AWS::Events::Rule' && (r.properties as any).EventPattern);
    if (!rule) return;
    const request = JSON.parse((rule.properties as any).Targets[0].Input) as SweepRequest;
    const loadAllowList = async (path: string) => mergeEntries(resources
      .filter((r) => r.type === 'AWS::SSM::Parameter' && String((r.properties as any).Name).startsWith(`${path}/`))
      .map((r) => JSON.parse((r.properties as any).Value)));
    busy = true;
    sweep(request, { proton, loadAllowList, log: () => undefined })
      .then((result) => accepted.push(...result.accepted))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 100);
  return {
    accepted: () => [...accepted],
    stop: () => {
      clearInterval(timer);
      proton.destroy();
    },
  };
}
