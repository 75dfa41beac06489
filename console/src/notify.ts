// Toasts. An API error is shown in the API's own words (its 403 and 409
// messages say what stood in the way).
import { ElMessage } from 'element-plus/es/components/message/index.mjs';
import { ApiError } from './api/client';

export function toastOk(message: string): void {
  ElMessage({ message, type: 'success', duration: 3000, showClose: true });
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export function toastError(e: unknown): void {
  ElMessage({ message: errorText(e), type: 'error', duration: 8000, showClose: true });
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function userLabel(u: { user_name: string; display_name?: string | null }): string {
  return u.display_name ? `${u.display_name} (${u.user_name})` : u.user_name;
}
