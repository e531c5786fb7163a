import { useT } from '../../i18n/index.ts';
import { formatTimestamp } from '../../lib/timestamp.ts';
import type { Notification, SmsStatus } from '../../types.ts';

/** Who was alerted, how, and whether it got through (SMS statuses update live). */
export function NotificationList({ notifications, sms }: { notifications: readonly Notification[]; sms: ReadonlyMap<string, SmsStatus> }) {
  const tr = useT();
  if (notifications.length === 0) return <p class="placeholder small">{tr.t('detail.noNotifications')}</p>;
  const now = Date.now();
  return (
    <table class="notifications">
      <tbody>
        {notifications.map((n) => {
          const update = sms.get(n.id);
          const status = update?.status ?? n.status;
          const error = update?.error ?? n.error;
          return (
            <tr key={n.id} data-testid="notification-row">
              <td class="num">{tr.t('queue.step', { n: n.step })}</td>
              <td>{tr.label('channel', n.channel)}</td>
              <td>{n.recipientName ?? n.audience}</td>
              <td class={`nstatus nstatus-${status}`}>{tr.label('notification', status)}</td>
              <td class="muted">{error ?? formatTimestamp(n.createdAt, now)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
