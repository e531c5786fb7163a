import { useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { ErrorNote, LoadState, useAction, useLoad } from './admin-kit.tsx';
import type { AreaKind, AreaRow } from './admin-types.ts';
import { areaPath, childKind, parentKind, treeOrder } from './area-tree.ts';
import type { SetupPageProps } from './setup-page-props.ts';

/** What is being edited: a new area under a parent (null: a district), a name, a new parent. */
type Editing = { mode: 'add'; parent: AreaRow | null; kind: AreaKind } | { mode: 'rename'; area: AreaRow } | { mode: 'move'; area: AreaRow };

/**
 * `#/setup/areas`: the district → street → community → grid tree. A new area's kind follows
 * its parent; moving picks a new parent one level up; removing an area that still holds
 * residents, sub-areas or logins is refused by the server, whose reason is shown.
 */
export function AreasView(_props: SetupPageProps) {
  const tr = useT();
  const { t } = tr;
  const [loaded, reload] = useLoad<AreaRow[]>('/api/areas');
  const [editing, setEditing] = useState<Editing | null>(null);
  const action = useAction();
  const areas = loaded.kind === 'ok' ? loaded.data : [];
  const rows = treeOrder(areas);

  const done = async (f: () => Promise<unknown>) => {
    if (await action.run(f)) {
      setEditing(null);
      reload();
    }
  };
  const remove = (a: AreaRow) => {
    if (!confirm(t('admin.areas.confirmRemove', { name: a.name }))) return;
    void done(() => api(`/api/areas/${a.id}`, { method: 'DELETE' }));
  };
  const start = (e: Editing) => {
    action.setError(null);
    setEditing(e);
  };
  const editor = (where: string | null) =>
    editing && (editing.mode === 'add' ? (editing.parent?.id ?? null) : editing.area.id) === where ? (
      <AreaEditor editing={editing} areas={areas} busy={action.busy} onCancel={() => setEditing(null)} onSave={done} />
    ) : null;

  return (
    <div class="admin-page" data-testid="areas-page">
      <div class="admin-toolbar">
        <h2 class="panel-title">{t('admin.areas.title')}</h2>
        <button type="button" class="btn btn-secondary" data-testid="area-add-district" onClick={() => start({ mode: 'add', parent: null, kind: 'district' })}>
          {t('admin.areas.addDistrict')}
        </button>
      </div>
      <ErrorNote text={action.error} />
      {editor(null)}
      <LoadState loaded={loaded} empty={rows.length === 0} />
      <ul class="area-tree panel">
        {rows.map(({ area, depth }) => {
          const below = childKind(area.kind);
          return (
            <li key={area.id} style={{ paddingLeft: `${depth * 1.5 + 0.5}rem` }} data-testid="area-row" data-kind={area.kind} data-name={area.name} data-id={area.id}>
              <div class="area-line">
                <span class={`pill area-kind area-${area.kind}`}>{tr.label('admin.kind', area.kind)}</span>
                <span class="area-name">{area.name}</span>
                <span class="grow" />
                {below && (
                  <button type="button" class="btn btn-quiet" data-testid="area-add-child" onClick={() => start({ mode: 'add', parent: area, kind: below })}>
                    + {tr.label('admin.kind', below)}
                  </button>
                )}
                <button type="button" class="btn btn-quiet" data-testid="area-rename" onClick={() => start({ mode: 'rename', area })}>
                  {t('admin.areas.rename')}
                </button>
                {area.kind !== 'district' && (
                  <button type="button" class="btn btn-quiet" data-testid="area-move" onClick={() => start({ mode: 'move', area })}>
                    {t('admin.areas.move')}
                  </button>
                )}
                <button type="button" class="btn btn-quiet danger-text" data-testid="area-remove" onClick={() => remove(area)}>
                  {t('admin.areas.remove')}
                </button>
              </div>
              {editor(area.id)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function AreaEditor(p: { editing: Editing; areas: AreaRow[]; busy: boolean; onCancel: () => void; onSave: (f: () => Promise<unknown>) => void }) {
  const tr = useT();
  const { t } = tr;
  const e = p.editing;
  const [name, setName] = useState(e.mode === 'rename' ? e.area.name : '');
  const up = e.mode === 'move' ? parentKind(e.area.kind) : undefined;
  const parents = up ? p.areas.filter((a) => a.kind === up) : [];
  const [parentId, setParentId] = useState(e.mode === 'move' ? (e.area.parentId ?? '') : '');

  const submit = (ev: Event) => {
    ev.preventDefault();
    if (e.mode === 'add') p.onSave(() => api('/api/areas', { method: 'POST', body: { name: name.trim(), kind: e.kind, parentId: e.parent?.id ?? null } }));
    else if (e.mode === 'rename') p.onSave(() => api(`/api/areas/${e.area.id}`, { method: 'PATCH', body: { name: name.trim() } }));
    else p.onSave(() => api(`/api/areas/${e.area.id}`, { method: 'PATCH', body: { parentId } }));
  };
  const title =
    e.mode === 'add'
      ? t('admin.areas.addTitle', { kind: tr.label('admin.kind', e.kind), parent: e.parent ? areaPath(p.areas, e.parent.id) : t('admin.areas.top') })
      : e.mode === 'rename'
        ? t('admin.areas.renameTitle', { name: e.area.name })
        : t('admin.areas.moveTitle', { name: e.area.name });
  return (
    <form class="admin-inline" data-testid="area-editor" onSubmit={submit}>
      <span class="muted small">{title}</span>
      {e.mode === 'move' ? (
        <select data-testid="area-parent" value={parentId} onChange={(ev) => setParentId(ev.currentTarget.value)} aria-label={t('admin.areas.newParent')}>
          {parents.map((a) => (
            <option key={a.id} value={a.id}>
              {areaPath(p.areas, a.id)}
            </option>
          ))}
        </select>
      ) : (
        <input data-testid="area-name" value={name} required maxLength={200} aria-label={t('admin.name')} onInput={(ev) => setName(ev.currentTarget.value)} autoFocus />
      )}
      <button type="submit" class="btn btn-primary" data-testid="area-save" disabled={p.busy || (e.mode !== 'move' && name.trim() === '')}>
        {t('setup.save')}
      </button>
      <button type="button" class="btn btn-quiet" onClick={p.onCancel}>
        {t('setup.cancel')}
      </button>
    </form>
  );
}
