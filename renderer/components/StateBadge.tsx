import type { RegistrationState } from "../../shared/contract.js";
import { STATE_ICON, STATE_LABEL } from "../format.js";

export function StateBadge({ state }: { state: RegistrationState }) {
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      <span aria-hidden="true">{STATE_ICON[state]}</span> {STATE_LABEL[state]}
    </span>
  );
}
